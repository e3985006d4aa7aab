// aggregate.js: awslabs' aws-kinesis-agg (the Node KPL aggregation library)
// aggregates user records for stream/kpl's interop test.
//
// stdin:  JSON [[{partitionKey, explicitHashKey?, data: base64}, ...], ...]:
//         each inner list becomes one aggregated record.
// stdout: JSON [{partitionKey, explicitHashKey?, data: base64}, ...], one per
//         inner list, as the library encodes them.
// The test sets NODE_PATH to tools/testservers/node_modules.
'use strict';
const { RecordAggregator } = require('aws-kinesis-agg/lib/kpl-agg');

const groups = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = groups.map((group) => {
	const agg = new RecordAggregator();
	for (const r of group) {
		const rec = { partitionKey: r.partitionKey, data: Buffer.from(r.data, 'base64') };
		if (r.explicitHashKey) {
			rec.explicitHashKey = r.explicitHashKey;
		}
		agg.addUserRecord(rec);
	}
	const encoded = agg.build();
	return {
		partitionKey: encoded.partitionKey,
		explicitHashKey: encoded.ExplicitHashKey || encoded.explicitHashKey || '',
		data: encoded.data.toString('base64'),
	};
});
process.stdout.write(JSON.stringify(out));
