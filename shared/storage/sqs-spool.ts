// The spool in AWS: one SQS message per batch (gzip-compressed exposition, base64: SQS bodies are text,
// at most 256 KiB). A message VictoriaMetrics keeps refusing is not deleted, so SQS moves it to the
// dead-letter queue after maxReceiveCount receives. Calls go through SQS' JSON protocol (shared/aws/json-api.ts).
import type { AwsJsonCall } from '../aws/json-api.js';
import type { NewSpoolEntry, Spool, SpoolEntry } from './spool.js';

export const SQS_MAX_BODY_BYTES = 256 * 1024;

interface SqsMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  MessageAttributes?: Record<string, { StringValue?: string }>;
}

export function createSqsSpool(call: AwsJsonCall, queueUrl: string): Spool {
  return {
    async put(entry: NewSpoolEntry) {
      const body = entry.payload.toString('base64');
      if (body.length > SQS_MAX_BODY_BYTES) {
        throw new Error(`spool batch of ${entry.samples} samples is ${body.length} bytes, over SQS's 256 KiB; lower the batch size`);
      }
      await call('SendMessage', {
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          created_ms: { DataType: 'Number', StringValue: String(entry.createdMs) },
          samples: { DataType: 'Number', StringValue: String(entry.samples) },
        },
      });
    },
    async take(limit: number): Promise<SpoolEntry[]> {
      const received = await call<{ Messages?: SqsMessage[] }>('ReceiveMessage', {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, limit)),
        MessageAttributeNames: ['All'],
        // Long enough to write the batch; if the run dies first the message comes back.
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      });
      const entries = (received.Messages ?? []).map((message): SpoolEntry => {
        const receipt = message.ReceiptHandle ?? '';
        return {
          id: message.MessageId ?? receipt,
          createdMs: Number(message.MessageAttributes?.created_ms?.StringValue ?? 0),
          samples: Number(message.MessageAttributes?.samples?.StringValue ?? 0),
          payload: Buffer.from(message.Body ?? '', 'base64'),
          ack: async () => {
            await call('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: receipt });
          },
          // Left in the queue: after maxReceiveCount receives SQS moves it to the DLQ.
          reject: async () => {},
        };
      });
      // A standard queue does not keep order; replay what was received oldest first.
      return entries.sort((a, b) => a.createdMs - b.createdMs);
    },
    async depth() {
      const attributes = await call<{ Attributes?: Record<string, string> }>('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] });
      return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    },
  };
}
