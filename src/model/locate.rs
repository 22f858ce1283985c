//! A file's YAML stream -> its blueprints: blueprint documents (each one a
//! blueprint of its own in a multi-document file) and blueprints embedded in
//! Kubernetes objects, which are re-parsed in place (see `embedded.rs`).

use super::{Blueprint, Origin, embedded, is_blueprint};
use crate::yaml::{DuplicateKey, Node, Stream, YamlError};

pub struct Located {
    pub stream: Stream,
    pub embedded: Vec<(Stream, Origin)>,
    /// Embedded blueprints that do not parse.
    pub errors: Vec<YamlError>,
}

impl Located {
    pub fn new(text: &str, stream: Stream) -> Self {
        let mut embedded_streams = Vec::new();
        let mut errors = Vec::new();
        for doc in &stream.documents {
            for found in embedded::find(text, &doc.root) {
                match found.parsed {
                    Ok(inner) => embedded_streams.push((inner, found.origin)),
                    Err(error) => errors.push(error),
                }
            }
        }
        Located {
            stream,
            embedded: embedded_streams,
            errors,
        }
    }

    /// Every blueprint, in file order of kind: documents first, then embedded ones.
    pub fn blueprints(&self) -> Vec<Blueprint<'_>> {
        let multi = self.stream.documents.len() > 1;
        let mut out: Vec<Blueprint<'_>> = self
            .stream
            .documents
            .iter()
            .enumerate()
            .filter(|(_, doc)| is_blueprint(&doc.root))
            .map(|(n, doc)| {
                let origin = if multi {
                    Origin::Document(n + 1)
                } else {
                    Origin::File
                };
                Blueprint::new(&doc.root, origin)
            })
            .collect();
        for (inner, origin) in &self.embedded {
            for doc in inner.documents.iter().filter(|d| is_blueprint(&d.root)) {
                out.push(Blueprint::new(&doc.root, origin.clone()));
            }
        }
        out
    }

    /// Duplicate keys of the file and of its embedded blueprints.
    pub fn duplicates(&self) -> Vec<DuplicateKey> {
        self.stream
            .duplicates
            .iter()
            .chain(
                self.embedded
                    .iter()
                    .flat_map(|(inner, _)| &inner.duplicates),
            )
            .cloned()
            .collect()
    }

    /// Root nodes of every parsed document, embedded ones included.
    pub fn roots(&self) -> impl Iterator<Item = &Node> {
        self.stream
            .documents
            .iter()
            .chain(self.embedded.iter().flat_map(|(inner, _)| &inner.documents))
            .map(|d| &d.root)
    }
}
