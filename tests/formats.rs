//! Output formats and the contracts each one has with the tool that reads it.

use assert_cmd::Command;
use serde_json::Value;

fn bplint() -> Command {
    Command::cargo_bin("bplint").expect("binary builds")
}

// ---- bplint rules ------------------------------------------------------------

#[test]
fn rules_json_says_what_is_fixable() {
    let output = bplint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    for (rule, meta) in list.iter().zip(bplint::rules::ALL.iter().map(|r| r.meta())) {
        let expected = match meta.fix {
            Some(bplint::diagnostic::Applicability::Safe) => Value::from("safe"),
            Some(bplint::diagnostic::Applicability::Unsafe) => Value::from("unsafe"),
            None => Value::Null,
        };
        assert_eq!(rule["code"], meta.code);
        assert_eq!(rule["name"], meta.name);
        assert_eq!(rule["severity"], meta.severity.as_str());
        assert_eq!(rule["summary"], meta.summary);
        assert_eq!(rule["fixable"], expected);
        assert_eq!(rule["fix"], expected);
    }
    assert!(list.iter().any(|r| r["fixable"] == "unsafe"));
}
