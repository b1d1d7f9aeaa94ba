//! `parit pull`: a hand-off layout written into the repository. The files
//! come from `GET …/handoff`; each path is checked before anything is
//! written (relative, no `..`, no root or drive), and the plan says which
//! files would be created, which overwritten and which are unchanged.

use crate::failure::Failure;
use serde_json::{json, Value};
use std::path::{Component, Path, PathBuf};

/// The short names people type, and the layout each means.
const ALIASES: [(&str, &str); 2] = [("agents", "agents-md"), ("speckit", "spec-kit")];

/// The server's name for the layout `given` (`agents` → `agents-md`,
/// `speckit` → `spec-kit`; others as given).
pub(crate) fn layout_name(given: &str) -> &str {
    ALIASES.iter().find(|(short, _)| *short == given).map_or(given, |(_, full)| full)
}

/// `path` from the server, as a path under the repository; an error for an
/// absolute path, a `..`, a drive or an empty one.
pub(crate) fn safe_path(path: &str) -> Result<PathBuf, Failure> {
    let refuse =
        |why: &str| Failure::Usage(format!("the server sent an unsafe path \"{path}\" ({why}); nothing was written"));
    if path.is_empty() {
        return Err(refuse("empty"));
    }
    if path.contains('\\') || path.contains('\0') {
        return Err(refuse("backslash or NUL"));
    }
    let mut out = PathBuf::new();
    for part in Path::new(path).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse("it climbs out with ..")),
            Component::RootDir | Component::Prefix(_) => return Err(refuse("it is absolute")),
        }
    }
    if out.as_os_str().is_empty() {
        return Err(refuse("empty"));
    }
    Ok(out)
}

/// What writing one file would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// No such file yet.
    Create,
    /// A file with other content is there.
    Overwrite,
    /// The same content is there.
    Unchanged,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Overwrite => "overwrite",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One file of a pull: where, what, and what writing it would do.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// Relative to the repository.
    pub(crate) path: PathBuf,
    /// The content to write.
    pub(crate) content: String,
    /// What writing it changes.
    pub(crate) change: Change,
}

/// The files of `layout` in a hand-off answer, checked and compared with
/// what `root` holds.
pub(crate) fn plan(handoff: &Value, layout: &str, root: &Path) -> Result<Vec<Planned>, Failure> {
    let layouts = handoff["layouts"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = layouts.iter().filter_map(|l| l["name"].as_str()).collect();
    let Some(chosen) = layouts.iter().find(|l| l["name"] == layout) else {
        return Err(Failure::Usage(format!(
            "no hand-off layout \"{layout}\" on this server (it has {}; agents and speckit are short for agents-md and spec-kit)",
            names.join(", ")
        )));
    };
    let mut planned = Vec::new();
    for file in chosen["files"].as_array().into_iter().flatten() {
        let (Some(path), Some(content)) = (file["path"].as_str(), file["content"].as_str()) else {
            return Err(Failure::Unreachable(format!("the hand-off's file entry is not a path and content: {file}")));
        };
        let path = safe_path(path)?;
        let change = match std::fs::read(root.join(&path)) {
            Ok(bytes) if bytes == content.as_bytes() => Change::Unchanged,
            Ok(_) => Change::Overwrite,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Change::Create,
            Err(e) => return Err(Failure::Usage(format!("cannot read {}: {e}", path.display()))),
        };
        planned.push(Planned { path, content: content.to_string(), change });
    }
    Ok(planned)
}

/// The plan for people: one line per file, grouped, then the counts.
pub(crate) fn report(planned: &[Planned]) -> String {
    let mut out = String::new();
    for change in [Change::Create, Change::Overwrite, Change::Unchanged] {
        let files: Vec<&Planned> = planned.iter().filter(|p| p.change == change).collect();
        if files.is_empty() {
            continue;
        }
        let heading = match change {
            Change::Create => "would create",
            Change::Overwrite => "would OVERWRITE",
            Change::Unchanged => "unchanged",
        };
        out.push_str(&format!("{heading} ({}):\n", files.len()));
        for f in files {
            out.push_str(&format!("  {}\n", f.path.display()));
        }
    }
    out
}

/// The plan for `--json`.
pub(crate) fn report_json(planned: &[Planned]) -> Value {
    let of = |change: Change| -> Vec<String> {
        planned.iter().filter(|p| p.change == change).map(|p| p.path.display().to_string()).collect()
    };
    json!({
        "create": of(Change::Create),
        "overwrite": of(Change::Overwrite),
        "unchanged": of(Change::Unchanged),
        "files": planned.iter().map(|p| json!({"path": p.path.display().to_string(), "change": p.change.as_str()})).collect::<Vec<_>>(),
    })
}

/// Writes the files that change (creating their directories).
pub(crate) fn write(planned: &[Planned], root: &Path) -> Result<usize, Failure> {
    let mut written = 0;
    for p in planned.iter().filter(|p| p.change != Change::Unchanged) {
        let target = root.join(&p.path);
        let fail = |e: std::io::Error| Failure::Usage(format!("cannot write {}: {e}", p.path.display()));
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        std::fs::write(&target, &p.content).map_err(fail)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_layout_names_map_to_the_servers() {
        assert_eq!(layout_name("agents"), "agents-md");
        assert_eq!(layout_name("speckit"), "spec-kit");
        assert_eq!(layout_name("kiro"), "kiro");
        assert_eq!(layout_name("openspec"), "openspec");
    }

    #[test]
    fn paths_that_leave_the_repository_are_refused() {
        assert_eq!(safe_path("specs/001-a/spec.md").unwrap(), PathBuf::from("specs/001-a/spec.md"));
        assert_eq!(safe_path("./AGENTS.md").unwrap(), PathBuf::from("AGENTS.md"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "", ".", "a\\..\\b", "C:\\x"] {
            let e = safe_path(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        }
    }

    #[test]
    fn the_plan_tells_created_overwritten_and_unchanged_files_apart() {
        let root = std::env::temp_dir().join(format!("parit-cli-pull-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("specs")).unwrap();
        std::fs::write(root.join("AGENTS.md"), "mine").unwrap();
        std::fs::write(root.join("specs/same.md"), "same").unwrap();
        let handoff = json!({"layouts": [{"name": "agents-md", "files": [
            {"path": "AGENTS.md", "content": "theirs"},
            {"path": "specs/same.md", "content": "same"},
            {"path": "specs/new/tasks.md", "content": "new"}]}]});
        let planned = plan(&handoff, "agents-md", &root).unwrap();
        let changes: Vec<Change> = planned.iter().map(|p| p.change).collect();
        assert_eq!(changes, [Change::Overwrite, Change::Unchanged, Change::Create]);
        let text = report(&planned);
        assert!(text.contains("would create (1):\n  specs/new/tasks.md\n"), "{text}");
        assert!(text.contains("would OVERWRITE (1):\n  AGENTS.md\n"), "{text}");
        assert!(text.contains("unchanged (1):\n  specs/same.md\n"), "{text}");
        assert_eq!(report_json(&planned)["overwrite"], json!(["AGENTS.md"]));
        assert_eq!(write(&planned, &root).unwrap(), 2);
        assert_eq!(std::fs::read_to_string(root.join("specs/new/tasks.md")).unwrap(), "new");
        let again = plan(&handoff, "agents-md", &root).unwrap();
        assert!(again.iter().all(|p| p.change == Change::Unchanged));
        // An unknown layout names the ones there are; an unsafe path writes nothing.
        let e = plan(&handoff, "cursor", &root).unwrap_err();
        assert!(e.to_string().contains("it has agents-md"), "{e}");
        let evil = json!({"layouts": [{"name": "kiro", "files": [{"path": "ok.md", "content": ""}, {"path": "../escape.md", "content": "x"}]}]});
        assert_eq!(plan(&evil, "kiro", &root).unwrap_err().exit_code(), 2);
        assert!(!root.join("ok.md").exists());
        std::fs::remove_dir_all(root).unwrap();
    }
}
