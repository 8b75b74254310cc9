// node parse-feed.js RSS_PARSER_MODULE_DIR FILE
// Prints rss-parser's reading of FILE as JSON, so the Go tests can check
// what a real feed reader sees (links, ids, dates, enclosures, content).
'use strict';
const fs = require('fs');
const Parser = require(process.argv[2]);
new Parser().parseString(fs.readFileSync(process.argv[3], 'utf8'))
  .then((feed) => process.stdout.write(JSON.stringify(feed)))
  .catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
