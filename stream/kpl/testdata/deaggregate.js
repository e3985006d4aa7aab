// deaggregate.js: awslabs' aws-kinesis-agg (the Node KPL aggregation library)
// de-aggregates Kinesis records for stream/kpl's interop test, checksums on.
//
// stdin:  JSON [{partitionKey, sequenceNumber, data: base64}, ...]
// stdout: JSON [{error?, userRecords: [{partitionKey, explicitHashKey,
//         sequenceNumber, subSequenceNumber, data: base64}]}, ...], one per
//         Kinesis record.
// The test sets NODE_PATH to tools/testservers/node_modules.
'use strict';
const { deaggregateSync } = require('aws-kinesis-agg');

const records = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = records.map((record) => {
	let result;
	deaggregateSync(record, true, (err, userRecords) => {
		result = {
			error: err ? String(err.message || err) : undefined,
			userRecords: (userRecords || []).map((ur) => ({
				partitionKey: ur.partitionKey,
				explicitHashKey: ur.explicitPartitionKey || '',
				sequenceNumber: ur.sequenceNumber,
				subSequenceNumber: ur.subSequenceNumber === undefined ? -1 : ur.subSequenceNumber,
				data: ur.data,
			})),
		};
	});
	return result;
});
process.stdout.write(JSON.stringify(out));
