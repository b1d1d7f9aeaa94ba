//! The export: every artifact (JSON), every render and the traceability
//! matrix, laid out as a project folder with a README, packed as a ZIP.
//!
//! The ZIP writer is small on purpose: entries are stored (artifacts are small
//! text; R2 and HTTP compress anyway), names are UTF-8, and timestamps are
//! fixed, so the same project always exports to the same bytes. No crate, no
//! extra WASM.

use crate::artifact::{Artifact, Upstream};
use crate::check::consistency::{matrix_csv, matrix_markdown, Report};
use crate::check::ready::{verdict_markdown, Verdict};
use crate::render::views;
use crate::stage::Stage;

/// CRC-32 (IEEE) lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 of `data`, as ZIP uses it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in data {
        c = CRC_TABLE[((c ^ u32::from(*b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Packs `files` (path, content) into a ZIP archive.
pub fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    const DOS_DATE: u16 = (2024 - 1980) << 9 | 1 << 5 | 1; // 2024-01-01, fixed for reproducible archives
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let crc = crc32(data);
        let offset = out.len() as u32;
        let (name_len, size) = (name.len() as u16, data.len() as u32);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::with_capacity(46 + name.len());
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&(0x0314u16).to_le_bytes()); // made by: Unix, spec 2.0
            }
            for v in [20u16, 0x0800, 0, 0, DOS_DATE] {
                h.extend_from_slice(&v.to_le_bytes()); // version needed, UTF-8 names, stored, time, date
            }
            for v in [crc, size, size] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            h.extend_from_slice(&name_len.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra field length
            if central {
                for v in [0u16, 0, 0] {
                    h.extend_from_slice(&v.to_le_bytes()); // comment length, disk, internal attributes
                }
                h.extend_from_slice(&(0o100644u32 << 16).to_le_bytes()); // -rw-r--r--
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let (cd_offset, cd_size, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A folder name for the project: lowercase ASCII letters, digits and dashes.
pub fn slug(name: &str) -> String {
    let s: String = name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() {
        "parit-project".into()
    } else {
        s
    }
}

/// The files of an export: `artifacts/<stage>.json`, each stage's renders
/// under its stage's folder (generated files at their own paths),
/// `consistency.json`, `traceability.md`, the hand-off layouts' files
/// (`handoff`: paths relative to the root, from [`crate::render::handoff`])
/// and a README.
pub fn bundle(
    name: &str,
    idea: &str,
    artifacts: &[(Artifact, u32)],
    report: &Report,
    verdict: &Verdict,
    handoff: &[(String, String)],
) -> Vec<(String, Vec<u8>)> {
    let root = slug(name);
    let mut upstream = Upstream::default();
    for (a, _) in artifacts {
        upstream.insert(a.clone());
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut listing = String::new();
    for stage in Stage::ALL {
        let Some((artifact, version)) = artifacts.iter().find(|(a, _)| a.stage() == stage) else { continue };
        let json = serde_json::to_string_pretty(&artifact.to_value()).unwrap_or_default();
        files.push((format!("{root}/artifacts/{stage}.json"), json.into_bytes()));
        listing.push_str(&format!("- **{stage}** v{version}: `artifacts/{stage}.json`"));
        for v in views(artifact, &upstream) {
            let path = match v.name.strip_prefix("files/") {
                Some(file) => format!("{stage}/{file}"),
                None => format!("{stage}/{}", v.name),
            };
            listing.push_str(&format!(", `{path}`"));
            files.push((format!("{root}/{path}"), v.body.into_bytes()));
        }
        listing.push('\n');
    }
    files.push((
        format!("{root}/consistency.json"),
        serde_json::to_string_pretty(report).unwrap_or_default().into_bytes(),
    ));
    files.push((format!("{root}/traceability.md"), matrix_markdown(report).into_bytes()));
    files.push((format!("{root}/traceability.csv"), matrix_csv(report).into_bytes()));
    files.push((format!("{root}/READY.md"), verdict_markdown(verdict).into_bytes()));
    // The contract tests go into the exported API Worker (`deployment/`),
    // their coverage beside the traceability matrix.
    let mut contract_note = String::new();
    if let (Some(prd), Some(data), Some(api)) = (&upstream.prd, &upstream.data, &upstream.api) {
        let contract = crate::render::contract::render(name, prd, data, api);
        if artifacts.iter().any(|(a, _)| a.stage() == Stage::Deployment) {
            for (path, content) in &contract.files {
                files.push((format!("{root}/deployment/{path}"), content.clone().into_bytes()));
            }
            contract_note = "Contract tests rendered from the blueprint are in `deployment/test/` (`npm test` there runs them \
                             against the Worker under `wrangler dev`); which criterion each covers, or why none can, is in \
                             `coverage.md` and `coverage.csv`.\n\n"
                .to_string();
        }
        files.push((
            format!("{root}/coverage.md"),
            crate::render::contract::coverage_markdown(&contract.rows).into_bytes(),
        ));
        files
            .push((format!("{root}/coverage.csv"), crate::render::contract::coverage_csv(&contract.rows).into_bytes()));
    }
    // Layouts share files (AGENTS.md's and OpenSpec's CI workflow): once
    // each, since a ZIP with a name twice does not unpack without a prompt.
    for (i, (path, content)) in handoff.iter().enumerate() {
        if !handoff[..i].iter().any(|(p, _)| p == path) {
            files.push((format!("{root}/{path}"), content.clone().into_bytes()));
        }
    }
    let handoff_note = if handoff.is_empty() {
        String::new()
    } else {
        "For coding agents: `AGENTS.md` (the project, its commands and conventions), Kiro specs in `.kiro/specs/`, \
         GitHub Spec Kit specs in `specs/` and OpenSpec specs in `openspec/specs/`, one per feature, every task naming \
         the requirements it serves; `.github/workflows/parit-check.yml` runs Parit's drift check in CI.\n\n"
            .to_string()
    };
    let ready = if verdict.ready {
        "**Ready** to hand off (see `READY.md`).".to_string()
    } else {
        format!("**Not ready**: {} gap(s), each listed in `READY.md`.", verdict.gaps.len())
    };
    let readme = format!(
        "# {}\n\n{}\n\nGenerated by Parit: the typed artifact of each stage (JSON) and everything rendered from it.\n\n{ready}\n\n{}\n\
         Consistency: {} error(s), {} warning(s) — see `consistency.json`; the story → screen → endpoint → entity matrix is in `traceability.md` and `traceability.csv`.\n\n\
         {handoff_note}{contract_note}To start: apply `data/schema.sqlite.sql` to D1 (or `data/schema.postgres.sql` to PostgreSQL), serve the API described in \
         `api/openapi.json`, run the client in `frontend/`, and follow `deployment/runbook.md`.\n",
        name.replace('\n', " "),
        idea.replace('\n', " "),
        listing,
        report.errors,
        report.warnings
    );
    files.insert(0, (format!("{root}/README.md"), readme.into_bytes()));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::consistency::check;
    use crate::fixtures::examples;

    #[test]
    fn crc32_matches_the_standard() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn archives_are_well_formed_and_reproducible() {
        let files = vec![("a/b.txt".to_string(), b"hello".to_vec()), ("é.md".to_string(), vec![])];
        let z = zip(&files);
        assert_eq!(&z[..4], b"PK\x03\x04");
        assert_eq!(&z[z.len() - 22..z.len() - 18], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([z[z.len() - 12], z[z.len() - 11]]), 2);
        assert_eq!(z, zip(&files));
    }

    #[test]
    fn the_bundle_lays_out_a_project() {
        let p = examples::clinic();
        let artifacts: Vec<(Artifact, u32)> = Stage::ALL.iter().map(|s| (p.artifact(*s), 1)).collect();
        let plain: Vec<Artifact> = artifacts.iter().map(|(a, _)| a.clone()).collect();
        let report = check(&plain);
        let done = Stage::ALL.into_iter().map(|s| (s, crate::run::status::StageStatus::Done)).collect();
        let ready = crate::check::ready::verdict(&done, &plain, &report);
        let handoff: Vec<(String, String)> =
            crate::render::handoff::layouts("ClinicBook!", "idea", &plain, Some(&ready))
                .into_iter()
                .flat_map(|l| l.files)
                .collect();
        let files = bundle("ClinicBook!", "idea", &artifacts, &report, &ready, &handoff);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "clinicbook/README.md",
            "clinicbook/artifacts/prd.json",
            "clinicbook/data/schema.postgres.sql",
            "clinicbook/api/openapi.json",
            "clinicbook/frontend/src/api.ts",
            "clinicbook/deployment/wrangler.toml",
            "clinicbook/traceability.md",
            "clinicbook/traceability.csv",
            "clinicbook/READY.md",
            "clinicbook/coverage.md",
            "clinicbook/coverage.csv",
            "clinicbook/deployment/test/contract.test.mjs",
            "clinicbook/deployment/test/harness.mjs",
            "clinicbook/AGENTS.md",
            "clinicbook/.kiro/specs/patient-management/tasks.md",
            "clinicbook/specs/001-patient-management/contracts/openapi.json",
        ] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "no path twice (the layouts share the CI workflow)");
        assert!(names.contains(&"clinicbook/.github/workflows/parit-check.yml"));
        assert_eq!(slug("  My App 2.0 "), "my-app-2-0");
    }
}
