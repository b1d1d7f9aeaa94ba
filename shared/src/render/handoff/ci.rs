//! `.github/workflows/parit-check.yml`: Parit's drift check in the coding
//! agent's repository's CI. It installs the Parit CLI (crate `parit-cli` in
//! `cli/` of the Parit repository, whose URL is the workflow variable
//! `PARIT_GIT`), runs `parit check --sarif parit.sarif` (exit 1 on drift)
//! with the repository secrets `PARIT_URL` and `PARIT_TOKEN` and the project
//! from the variable `PARIT_PROJECT` or the committed `.parit/project` file,
//! uploads the SARIF to code scanning even when the check fails, and fails the
//! job on drift.
//!
//! Followed (2026-12-06, docs corpus): GitHub's "Uploading a SARIF file to
//! GitHub" (`github/codeql-action/upload-sarif@v3` with `sarif_file`, the job
//! needing `security-events: write`; `if: always()` so a failed step's
//! results are still uploaded) and actions/cache's Rust example (the cargo
//! registry, git and bin folders keyed by the OS).

/// Where the workflow goes in a repository.
pub(super) const PATH: &str = ".github/workflows/parit-check.yml";

/// The workflow: the same text for every blueprint.
pub(super) const WORKFLOW: &str = r#"# Parit drift check: does this repository still match its Parit blueprint?
# Needs the repository secrets PARIT_URL and PARIT_TOKEN, the variable
# PARIT_GIT (the Parit repository's git URL, where the CLI is built from) and
# the project id in the variable PARIT_PROJECT or the file .parit/project.
name: Parit check

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  security-events: write

jobs:
  parit-check:
    runs-on: ubuntu-latest
    steps:
      - name: Check out the repository
        uses: actions/checkout@v4
      - name: Cache cargo
        uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/bin
            ~/.cargo/registry/index
            ~/.cargo/registry/cache
            ~/.cargo/git/db
          key: ${{ runner.os }}-cargo-parit-cli-${{ vars.PARIT_GIT }}
      - name: Install the Parit CLI
        env:
          PARIT_GIT: ${{ vars.PARIT_GIT }}
        run: |
          test -n "$PARIT_GIT" || { echo "set the repository variable PARIT_GIT to the Parit repository's git URL"; exit 1; }
          command -v parit || cargo install --locked --git "$PARIT_GIT" parit-cli
      - name: Run parit check
        id: check
        env:
          PARIT_URL: ${{ secrets.PARIT_URL }}
          PARIT_TOKEN: ${{ secrets.PARIT_TOKEN }}
          PARIT_PROJECT: ${{ vars.PARIT_PROJECT }}
        run: parit check --sarif parit.sarif
        continue-on-error: true
      - name: Upload the SARIF report
        if: always() && hashFiles('parit.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: parit.sarif
          category: parit
      - name: Fail on drift
        if: steps.check.outcome != 'success'
        run: |
          echo "parit check found drift from the blueprint (or could not run): see its output above and the code scanning alerts"
          exit 1
"#;
