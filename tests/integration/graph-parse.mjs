// Reads Mermaid diagrams with Mermaid's own parser (mermaid.parse, the grammar
// the renderers of Forgejo, Gitea, GitHub and GitLab use), headless: jsdom
// stands in for the browser, since the parser sanitizes HTML labels with
// DOMPurify, which needs a window.
//
// usage: node graph-parse.mjs FILE...   (run where `mermaid` and `jsdom` are
// installed, see graph.sh). A `.md` file is read for its ```mermaid fences, any
// other file as diagrams each starting with a `---` front matter line (what
// `bplint graph --format mermaid` prints). Exits 1 when a diagram does not
// parse, naming the file and the diagram.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

function diagrams(file, text) {
  if (file.endsWith('.md')) {
    return [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  }
  return text.split(/\n(?=---\ntitle: )/).filter((d) => d.trim() !== '');
}

let parsed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const diagram of diagrams(file, readFileSync(file, 'utf8'))) {
    try {
      await mermaid.parse(diagram);
      parsed += 1;
    } catch (error) {
      failed += 1;
      console.log(`${file}: Mermaid cannot parse a diagram: ${error.message}\n${diagram}`);
    }
  }
}
console.log(`mermaid: ${parsed} diagrams read, ${failed} refused`);
process.exit(failed > 0 || parsed === 0 ? 1 : 0);
