//! `catalogue-diff PAGE.json…`: compares the pages of a `models.list` answer
//! with the model catalogue and prints every difference, one a line; exits 1
//! when there is one, 0 when the catalogue is in step, 2 on unreadable input.
//! `catalogue-diff --next-page-token PAGE.json` prints the page's
//! `nextPageToken` (nothing on the last page), for `scripts/check-models.sh`.

use parit_shared::gemini::catalogue::{self, CHECKED_ON};
use parit_shared::gemini::served::{compare, ModelsPage};

fn read(path: &str) -> ModelsPage {
    let page = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<ModelsPage>(&text).map_err(|e| format!("not a models.list page: {e}")));
    page.unwrap_or_else(|e| {
        eprintln!("catalogue-diff: {path}: {e}");
        std::process::exit(2);
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, path] if flag == "--next-page-token" => print!("{}", read(path).next_page_token.unwrap_or_default()),
        [] => {
            eprintln!("usage: catalogue-diff PAGE.json… | catalogue-diff --next-page-token PAGE.json");
            std::process::exit(2);
        }
        pages => {
            let served: Vec<_> = pages.iter().flat_map(|p| read(p).models).collect();
            let findings = compare(&served);
            let known = served.iter().filter(|m| catalogue::model(m.id()).is_some()).count();
            println!(
                "{} models served, {known} of them in the catalogue (checked on {CHECKED_ON}); {} difference(s)",
                served.len(),
                findings.len()
            );
            for f in &findings {
                println!("  {f}");
            }
            std::process::exit(i32::from(!findings.is_empty()));
        }
    }
}
