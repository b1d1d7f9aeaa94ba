//! The traces report from D1's rows, on the full fleet: the supervisor reads
//! the columns `parit_shared::run::traces` names and the bridge reads each
//! row into its record, so a row that does not fit is a failure naming the
//! column in the log, never a report with a made-up value.

use parit_fleet_tests::*;

fn url(path: &str) -> String {
    format!("{}{path}", fleet().url)
}

#[test]
fn a_trace_row_that_does_not_fit_fails_the_report_naming_its_column() {
    let id = create_project(&fleet().url, "Rows", "Track the loans of a small tool library, row by row");
    let (status, body) = execute(&fleet().url, &id, "prd");
    assert_eq!(status, 200, "{body}");
    let (status, traces) = get(&url(&format!("/api/projects/{id}/traces")));
    assert_eq!(status, 200, "{traces}");
    assert_eq!(traces["projectId"], id.as_str());
    assert_eq!(traces["traces"][0]["outcome"], "ok", "{traces}");
    assert_eq!(traces["totals"]["calls"], 1);

    // An outcome the code does not know (a schema it does not know).
    let outcome = unique("sleeping");
    d1(&format!("UPDATE execution_traces SET outcome = '{outcome}' WHERE project_id = '{id}'"));
    let (status, answer) = get(&url(&format!("/api/projects/{id}/traces")));
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "unavailable");
    assert!(!answer.to_string().contains(&outcome), "the detail is logged, not sent: {answer}");
    let log_path = format!("{}/wrangler.log", fleet().dir);
    poll_until("the failure is logged naming the column", || {
        let log = std::fs::read_to_string(&log_path).expect("the fleet's log");
        log.lines().any(|l| l.contains(&outcome) && l.contains("execution_traces row: column `outcome`"))
    });

    let (status, _) = delete(&url(&format!("/api/projects/{id}")));
    assert_eq!(status, 200);
}
