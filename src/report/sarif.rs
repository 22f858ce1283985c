//! `--format sarif`: a SARIF 2.1.0 log for code-scanning dashboards (GitHub code
//! scanning, GitLab, Sonar, IDE viewers).
//!
//! The structs below are the subset of the SARIF object model bplint fills,
//! written by hand: the `serde-sarif` crate would add a schema-to-code build
//! script and builder macros for the same dozen objects. Tests validate the
//! output against the official schema (tests/data/sarif-schema-2.1.0.json).

use super::{Region, path_of};
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, RuleMeta, Severity};
use crate::pipeline::Outcome;
use serde::Serialize;
use std::path::Path;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// bplint counts columns in Unicode scalar values; SARIF's default would be
    /// UTF-16 code units, which differ after any character outside the BMP.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    /// bplint's own facts about the run, in SARIF's property bag.
    properties: RunProperties,
}

#[derive(Serialize)]
struct RunProperties {
    /// The release judged by, the same object as the JSON report's.
    authentik_version: super::AuthentikVersion,
    /// `bplint upgrade`: the releases compared; the results are the findings
    /// new at `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    upgrade: Option<super::json::UpgradeRange>,
    /// The Authentik instances the run was split into; absent for one set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<super::InstanceSummary>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help<'a>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

/// Plain text for every viewer, the rule's markdown doc for those that render it.
#[derive(Serialize)]
struct Help<'a> {
    text: String,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    /// A finding the baseline holds back: suppressed outside the file, so
    /// dashboards hide it rather than lose it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: SarifRegion,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    /// Byte offsets as well, for fixes: a tool applying them can splice bytes
    /// without recounting characters. Both describe the same text.
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// SARIF has no notion of safe and unsafe fixes; the property bag carries it.
    applicability: Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: SarifRegion,
    inserted_content: Content<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    text: &'a str,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The first paragraph of the rule doc's "What it checks" section, as plain text
/// for viewers that show one description; the doc for users goes into `help`.
fn what_it_checks(meta: &RuleMeta) -> Option<String> {
    let start = meta.doc.find("## What it checks")?;
    let (_, body) = meta.doc[start..].split_once('\n')?;
    let paragraph = body.split("\n\n").next().unwrap_or_default();
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty() && !text.starts_with('#')).then_some(text)
}

fn descriptor(meta: &'static RuleMeta) -> ReportingDescriptor<'static> {
    let description = what_it_checks(meta).unwrap_or_else(|| meta.summary.to_string());
    ReportingDescriptor {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.summary.into(),
        },
        help: Help {
            text: format!(
                "{description}\n\n`bplint explain {}` prints the rule's documentation with examples.",
                meta.code
            ),
            markdown: meta.user_doc(),
        },
        full_description: Text {
            text: description.into(),
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
    }
}

/// A path as a URI reference: relative paths stay relative (code-scanning tools
/// resolve them against the checkout), absolute ones become `file://` URIs.
pub fn uri(path: &Path) -> String {
    let mut display = crate::source::display_path(path);
    // A separator only on Windows; elsewhere a backslash is part of a file name.
    if cfg!(windows) {
        display = display.replace('\\', "/");
    }
    let absolute = path.is_absolute();
    let mut out = String::new();
    if absolute {
        out.push_str("file://");
        if !display.starts_with('/') {
            out.push('/');
        }
    }
    for byte in display.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            // A drive letter's colon; in a relative path it would read as a scheme.
            b':' if absolute => out.push(':'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn physical(outcome: &Outcome, file: FileId, region: Region) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact(outcome, file),
        region: SarifRegion {
            start_line: region.line,
            start_column: region.column,
            end_line: region.end_line,
            end_column: region.end_column,
            byte_offset: None,
            byte_length: None,
        },
    }
}

fn artifact(outcome: &Outcome, file: FileId) -> ArtifactLocation {
    let uri = match outcome.files.get(file) {
        Some(record) => uri(&record.path),
        None => path_of(outcome, file),
    };
    ArtifactLocation { uri }
}

fn fix<'a>(outcome: &Outcome, d: &Diagnostic, fix: &'a Fix) -> SarifFix<'a> {
    let replacements = fix
        .edits
        .iter()
        .map(|e| {
            let r = Region::of(outcome, d.file, e.span);
            Replacement {
                deleted_region: SarifRegion {
                    start_line: r.line,
                    start_column: r.column,
                    end_line: r.end_line,
                    end_column: r.end_column,
                    byte_offset: Some(e.span.start),
                    byte_length: Some(e.span.len()),
                },
                inserted_content: Content {
                    text: &e.replacement,
                },
            }
        })
        .collect();
    SarifFix {
        description: Text {
            text: fix.title.as_str().into(),
        },
        artifact_changes: [ArtifactChange {
            artifact_location: artifact(outcome, d.file),
            replacements,
        }],
        properties: FixProperties {
            applicability: fix.applicability,
        },
    }
}

fn result<'a>(outcome: &Outcome, d: &'a Diagnostic, baselined: bool) -> SarifResult<'a> {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message).into(),
        None => d.message.as_str().into(),
    };
    SarifResult {
        rule_id: d.code,
        rule_index: crate::rules::ALL
            .iter()
            .position(|r| r.meta().code == d.code),
        level: level(d.severity),
        message: Text { text: message },
        locations: [Location {
            physical_location: physical(outcome, d.file, Region::of(outcome, d.file, d.span)),
            message: None,
        }],
        related_locations: d
            .related
            .iter()
            .map(|r| Location {
                physical_location: physical(outcome, r.file, Region::of(outcome, r.file, r.span)),
                message: Some(Text {
                    text: r.message.as_str().into(),
                }),
            })
            .collect(),
        fixes: d.fix.iter().map(|f| fix(outcome, d, f)).collect(),
        suppressions: if baselined {
            vec![Suppression {
                kind: "external",
                justification: "recorded in the bplint baseline (--baseline)",
            }]
        } else {
            Vec::new()
        },
    }
}

pub fn render(outcome: &Outcome) -> String {
    let homepage = env!("CARGO_PKG_HOMEPAGE");
    let repository = env!("CARGO_PKG_REPOSITORY");
    let information_uri = [homepage, repository].into_iter().find(|u| !u.is_empty());
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "bplint",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri,
                    rules: crate::rules::ALL
                        .iter()
                        .map(|r| descriptor(r.meta()))
                        .collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: super::with_baselined(outcome)
                .into_iter()
                .map(|(d, baselined)| result(outcome, d, baselined))
                .collect(),
            properties: RunProperties {
                authentik_version: super::AuthentikVersion::of(&outcome.judged),
                upgrade: super::json::UpgradeRange::of(outcome),
                instances: super::InstanceSummary::all(outcome),
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
