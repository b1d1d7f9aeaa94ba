//! Where the CLI keeps what it remembers: the server and token (`parit
//! login`, in the user's config directory, mode 0600; `PARIT_URL` and
//! `PARIT_TOKEN` override it, for CI) and the project a repository belongs
//! to (`.parit/project` in the repository, so later commands need no
//! `--project`).

use crate::failure::Failure;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The server and token a command uses.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Credentials {
    /// The supervisor's base URL.
    pub(crate) url: String,
    /// The API token (never printed).
    pub(crate) token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("url", &self.url).finish_non_exhaustive()
    }
}

/// The environment, as a lookup (tests pass their own).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process's environment, empty values as unset.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `$XDG_CONFIG_HOME/parit/config.toml`, else `~/.config/parit/config.toml`
/// (the XDG Base Directory rule: a relative `XDG_CONFIG_HOME` is ignored).
pub(crate) fn config_path(env: Env<'_>) -> Result<PathBuf, Failure> {
    if let Some(xdg) = env("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        return Ok(xdg.join("parit").join("config.toml"));
    }
    match env("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".config").join("parit").join("config.toml")),
        None => Err(Failure::Usage("neither XDG_CONFIG_HOME nor HOME is set: no place for the config".into())),
    }
}

/// The credentials to use: the config file's, each overridden by
/// `PARIT_URL` / `PARIT_TOKEN` when set.
pub(crate) fn credentials(env: Env<'_>) -> Result<Credentials, Failure> {
    let path = config_path(env)?;
    let stored = match std::fs::read_to_string(&path) {
        Ok(text) => Some(toml::from_str::<Credentials>(&text).map_err(|e| {
            Failure::Usage(format!(
                "{} is not a config parit wrote ({}); run `parit login` again",
                path.display(),
                e.message()
            ))
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::Usage(format!("cannot read {}: {e}", path.display()))),
    };
    let url = env("PARIT_URL").or_else(|| stored.as_ref().map(|c| c.url.clone()));
    let token = env("PARIT_TOKEN").or_else(|| stored.as_ref().map(|c| c.token.clone()));
    match (url, token) {
        (Some(url), Some(token)) => Ok(Credentials { url, token }),
        _ => {
            Err(Failure::Usage("not logged in: run `parit login --url URL` (or set PARIT_URL and PARIT_TOKEN)".into()))
        }
    }
}

/// Writes `credentials` to `path`, readable by the user alone (0600; the
/// directory 0700), replacing what was there in one rename.
pub(crate) fn save(path: &Path, credentials: &Credentials) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Usage(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().ok_or_else(|| Failure::Usage(format!("{} has no directory", path.display())))?;
    std::fs::create_dir_all(dir).map_err(fail)?;
    let text = toml::to_string(credentials).map_err(|e| Failure::Usage(format!("cannot write the config: {e}")))?;
    let partial = dir.join(".config.toml.partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    let mut file = options.open(&partial).map_err(fail)?;
    // A file left by an earlier run keeps its old mode: set it either way.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
    }
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&partial, path).map_err(fail)
}

/// Where a repository remembers its project, under `dir`.
pub(crate) fn project_file(dir: &Path) -> PathBuf {
    dir.join(".parit").join("project")
}

/// The project `dir` or a directory above it belongs to, as
/// `parit new` wrote it.
pub(crate) fn remembered_project(dir: &Path) -> Option<String> {
    dir.ancestors().find_map(|d| {
        let text = std::fs::read_to_string(project_file(d)).ok()?;
        let id = text.trim();
        (!id.is_empty()).then(|| id.to_string())
    })
}

/// Remembers `id` as the project of `dir`.
pub(crate) fn remember_project(dir: &Path, id: &str) -> Result<(), Failure> {
    let path = project_file(dir);
    let fail = |e: std::io::Error| Failure::Usage(format!("cannot write {}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(&path, format!("{id}\n")).map_err(fail)
}

/// The project to act on: `--project`, else the remembered one.
pub(crate) fn project(given: Option<&str>, dir: &Path) -> Result<String, Failure> {
    let id = match given {
        Some(id) => id.to_string(),
        None => remembered_project(dir).ok_or_else(|| {
            Failure::Usage("no project here: run `parit new \"idea\"` in this repository, or pass --project ID".into())
        })?,
    };
    if parit_shared::project::is_resource_id(&id) {
        Ok(id)
    } else {
        Err(Failure::Usage(format!("\"{id}\" is not a project id (lowercase hex and dashes)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(crate) fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("parit-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn the_config_lives_where_xdg_says() {
        let env = env_of(&[("XDG_CONFIG_HOME", "/x/conf"), ("HOME", "/home/u")]);
        assert_eq!(config_path(&env).unwrap(), PathBuf::from("/x/conf/parit/config.toml"));
        let env = env_of(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/u")]);
        assert_eq!(config_path(&env).unwrap(), PathBuf::from("/home/u/.config/parit/config.toml"));
        assert_eq!(config_path(&env_of(&[])).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn saved_credentials_are_private_and_the_environment_overrides_them() {
        let dir = temp_dir("config");
        let xdg = dir.to_string_lossy().to_string();
        let env = env_of(&[("XDG_CONFIG_HOME", &xdg)]);
        assert_eq!(credentials(&env).unwrap_err().exit_code(), 2, "not logged in yet");
        let path = config_path(&env).unwrap();
        let saved = Credentials { url: "http://a".into(), token: "t1".into() };
        save(&path, &saved).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(credentials(&env).unwrap(), saved);
        let env = env_of(&[("XDG_CONFIG_HOME", &xdg), ("PARIT_TOKEN", "t2")]);
        assert_eq!(credentials(&env).unwrap(), Credentials { url: "http://a".into(), token: "t2".into() });
        assert!(!format!("{:?}", credentials(&env).unwrap()).contains("t2"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_repository_remembers_its_project_for_its_subdirectories() {
        let dir = temp_dir("project");
        assert_eq!(project(None, &dir).unwrap_err().exit_code(), 2);
        remember_project(&dir, "0a1b2c3d-4e5f").unwrap();
        let sub = dir.join("src").join("deep");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(project(None, &sub).unwrap(), "0a1b2c3d-4e5f");
        assert_eq!(project(Some("../etc"), &sub).unwrap_err().exit_code(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
