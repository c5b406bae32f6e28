// The spool in AWS: one SQS message per batch (gzip-compressed exposition, base64: SQS bodies are text,
// at most 256 KiB). Samples VictoriaMetrics refuses (400/422) go to the dead-letter queue (deadLetterUrl, the
// queue's redrive target): sent there, then deleted from the spool. Without deadLetterUrl a refused message is
// left in the queue, and SQS moves it after maxReceiveCount receives. Calls go through SQS' JSON protocol
// (shared/aws-sdk/json-api.ts), each abandoned at the caller's signal.
import type { AwsJsonCall } from '../aws-sdk/json-api.js';
import type { NewSpoolEntry, Spool, SpoolCallOptions, SpoolEntry } from './spool.js';

export const SQS_MAX_BODY_BYTES = 256 * 1024;

interface SqsMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  MessageAttributes?: Record<string, { StringValue?: string }>;
}

function sendTo(call: AwsJsonCall, queueUrl: string, entry: NewSpoolEntry, options: SpoolCallOptions = {}): Promise<unknown> {
  const body = entry.payload.toString('base64');
  if (body.length > SQS_MAX_BODY_BYTES) {
    throw new Error(`spool batch of ${entry.samples} samples is ${body.length} bytes, over SQS's 256 KiB; lower the batch size`);
  }
  return call(
    'SendMessage',
    {
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: {
        created_ms: { DataType: 'Number', StringValue: String(entry.createdMs) },
        samples: { DataType: 'Number', StringValue: String(entry.samples) },
      },
    },
    options,
  );
}

export function createSqsSpool(call: AwsJsonCall, queueUrl: string, deadLetterUrl?: string): Spool {
  return {
    async put(entry: NewSpoolEntry, options?: SpoolCallOptions) {
      await sendTo(call, queueUrl, entry, options);
    },
    ...(deadLetterUrl
      ? {
          async deadLetter(entry: NewSpoolEntry, options?: SpoolCallOptions) {
            await sendTo(call, deadLetterUrl, entry, options);
          },
        }
      : {}),
    async take(limit: number, options?: SpoolCallOptions): Promise<SpoolEntry[]> {
      const received = await call<{ Messages?: SqsMessage[] }>('ReceiveMessage', {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, limit)),
        MessageAttributeNames: ['All'],
        // Long enough to write the batch; if the run dies first the message comes back.
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }, options);
      const entries = (received.Messages ?? []).map((message): SpoolEntry => {
        const receipt = message.ReceiptHandle ?? '';
        const createdMs = Number(message.MessageAttributes?.created_ms?.StringValue ?? 0);
        const samples = Number(message.MessageAttributes?.samples?.StringValue ?? 0);
        const payload = Buffer.from(message.Body ?? '', 'base64');
        const remove = async (options?: SpoolCallOptions) => {
          await call('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: receipt }, options);
        };
        return {
          id: message.MessageId ?? receipt,
          createdMs,
          samples,
          payload,
          ack: remove,
          // To the DLQ, then out of the spool; without a DLQ URL it is left: SQS moves it after maxReceiveCount.
          reject: async (options?: SpoolCallOptions) => {
            if (!deadLetterUrl) return;
            await sendTo(call, deadLetterUrl, { createdMs, samples, payload }, options);
            await remove(options);
          },
        };
      });
      // A standard queue does not keep order; replay what was received oldest first.
      return entries.sort((a, b) => a.createdMs - b.createdMs);
    },
    async depth(options?: SpoolCallOptions) {
      const attributes = await call<{ Attributes?: Record<string, string> }>('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }, options);
      return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    },
  };
}
