#!/usr/bin/env node
// Validates FHIR R4 Bundle files offline with the fhir npm package (4.12.0, Lantana Group; not
// written here): structure, cardinalities, data types and required code bindings of every
// resource. Prints each error and exits 1 when any file has one; 2 on unreadable input.
// Usage: node tools/fhir-validate/validate.js FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const { Fhir } = require(path.join(__dirname, 'node_modules', 'fhir'));

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: validate.js BUNDLE.json...');
  process.exit(2);
}
const fhir = new Fhir();
let errors = 0;
for (const file of files) {
  let resource;
  try {
    resource = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: cannot read JSON: ${e.message}`);
    process.exit(2);
  }
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  const bad = result.messages.filter((m) => m.severity === 'error');
  for (const m of bad) {
    console.log(`${file}: ${m.resourceId || ''} ${m.location}: ${m.message}`);
  }
  const entries = Array.isArray(resource.entry) ? resource.entry.length : 0;
  console.log(`${file}: ${entries} entries, ${bad.length} error(s), ${result.messages.length - bad.length} other message(s)`);
  errors += bad.length;
}
process.exit(errors > 0 ? 1 : 0);
