// Loaded with --require by a test: makes the audit engine throw, to check exit code 3.
const path = require('path');
const engine = require(path.join(__dirname, '..', '..', 'lib', 'src', 'rules', 'engine.js'));
engine.Auditor.prototype.finish = () => { throw new Error('simulated defect'); };
