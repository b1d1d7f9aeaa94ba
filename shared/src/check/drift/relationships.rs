//! Relationships compared by the pair of entities they link, where the
//! blueprint's columns can say them.

use super::pairing::{key_of, Pairing};
use super::{value, Difference, DriftKind, DriftSource, Stories};
use crate::artifact::{Cardinality, DataArtifact, Relationship};
use crate::check::changes::Change;
use serde_json::Value;

pub(super) fn relationship_drift(p: &Pairing, stories: &Stories) -> Vec<Difference> {
    let paired = |bp_name: &str| p.pairs.iter().any(|(b, _)| b.name == bp_name);
    // The repository's relationships in the blueprint's names.
    let repo: Vec<Relationship> = p
        .repo
        .relationships
        .iter()
        .map(|r| Relationship { from: p.bp_name(&r.from), to: p.bp_name(&r.to), ..r.clone() })
        .collect();
    // A pair of blueprint entities some reference column links (or a link entity).
    let linked = |a: &str, b: &str| {
        let refers = |x: &str, y: &str| {
            p.bp.entities.iter().any(|e| e.name == x && e.fields.iter().any(|f| f.references.as_deref() == Some(y)))
        };
        let link = p.bp.entities.iter().any(|e| {
            let targets: Vec<&str> = e.fields.iter().filter_map(|f| f.references.as_deref()).collect();
            targets.contains(&a) && targets.contains(&b)
        });
        refers(a, b) || refers(b, a) || link
    };
    let mut out = Vec::new();
    let id = |r: &Relationship| format!("{}->{}", r.from, r.to);
    let same_pair =
        |x: &Relationship, y: &Relationship| (x.from == y.from && x.to == y.to) || (x.from == y.to && x.to == y.from);
    // A pair may have several relationships (a reference and a link table):
    // each blueprint one claims a repository one of the same cardinality
    // first, then one that differs.
    let mut claimed = vec![false; repo.len()];
    let bp_rels: Vec<&Relationship> = p.bp.relationships.iter().filter(|b| paired(&b.from) && paired(&b.to)).collect();
    let mut unmatched = Vec::new();
    for b in &bp_rels {
        let same =
            (0..repo.len()).find(|&i| !claimed[i] && same_pair(&repo[i], b) && repo[i].cardinality == b.cardinality);
        match same {
            Some(i) => claimed[i] = true,
            None => unmatched.push(*b),
        }
    }
    for b in unmatched {
        let touched = stories.of_entities(&[&b.from, &b.to]);
        let other = (0..repo.len()).find(|&i| !claimed[i] && same_pair(&repo[i], b));
        match other {
            Some(i) if expressible(b, p.bp) => {
                claimed[i] = true;
                let r = &repo[i];
                out.push(Difference {
                    kind: DriftKind::Relationship,
                    change: Change::Changed,
                    id: id(b),
                    detail: format!(
                        "{}: {} in the blueprint, {} in the repository",
                        id(b),
                        b.cardinality,
                        r.cardinality
                    ),
                    blueprint: value(b),
                    repository: value(r),
                    stories: touched,
                    source: DriftSource::Sql,
                });
            }
            None if !repo.iter().any(|r| same_pair(r, b)) && linked(&b.from, &b.to) => out.push(Difference {
                kind: DriftKind::Relationship,
                change: Change::Removed,
                id: id(b),
                detail: format!(
                    "{}: {} in the blueprint, no foreign key links them in the repository",
                    id(b),
                    b.cardinality
                ),
                blueprint: value(b),
                repository: Value::Null,
                stories: touched,
                source: DriftSource::Sql,
            }),
            _ => {}
        }
    }
    for (i, r) in repo.iter().enumerate() {
        let related = bp_rels.iter().any(|b| same_pair(b, r));
        if !claimed[i] && !related && paired(&r.from) && paired(&r.to) {
            out.push(Difference {
                kind: DriftKind::Relationship,
                change: Change::Added,
                id: id(r),
                detail: format!("{}: {} in the repository, not in the blueprint", id(r), r.cardinality),
                blueprint: Value::Null,
                repository: value(r),
                stories: stories.of_entities(&[&r.from, &r.to]),
                source: DriftSource::Sql,
            });
        }
    }
    out
}

/// Whether the blueprint's columns can say a relationship's cardinality:
/// one_to_one by a unique reference (or a key), one_to_many by one that is
/// not, many_to_many by a link entity.
fn expressible(r: &Relationship, data: &DataArtifact) -> bool {
    let reference = |from: &str, to: &str| {
        data.entities
            .iter()
            .filter(|e| e.name == to)
            .flat_map(|e| e.fields.iter().map(move |f| (e, f)))
            .find(|(_, f)| f.references.as_deref() == Some(from))
            .map(|(e, f)| f.unique || key_of(e) == [f.name.clone()])
    };
    match r.cardinality {
        Cardinality::OneToOne => reference(&r.from, &r.to).or_else(|| reference(&r.to, &r.from)) == Some(true),
        Cardinality::OneToMany => reference(&r.from, &r.to) == Some(false),
        Cardinality::ManyToMany => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::fixtures::examples;

    #[test]
    fn regression_a_pair_with_a_reference_and_a_link_table_keeps_both_relationships() {
        // Found by the generated round trip: a pair related by a reference and
        // through a link table has two relationships, in any order.
        let p = examples::pantry();
        let mut bp = p.data();
        let (a, b) = (bp.entities[0].name.clone(), bp.entities[1].name.clone());
        let link = |cardinality| Relationship { from: a.clone(), to: b.clone(), cardinality, label: String::new() };
        bp.relationships.retain(|r| !((r.from == a && r.to == b) || (r.from == b && r.to == a)));
        bp.relationships.extend([link(Cardinality::OneToMany), link(Cardinality::ManyToMany)]);
        let mut repo = bp.clone();
        repo.relationships.reverse();
        let blueprint = vec![(Artifact::Data(bp), 1)];
        let r = report(&blueprint, Repository { data: Some((repo, SqlDialect::Sqlite)), ..Repository::default() });
        assert_eq!(r.map(|r| r.differences), Ok(vec![]));
    }
}
