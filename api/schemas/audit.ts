import { Type } from 'typebox';
import { SUPPORT_ACTION, SUPPORT_REASON_MAX_LENGTH } from '../../domain/audit';
import { TEXT_PATTERN } from '../../domain/events';
import { Id, Timestamp, nullable } from './common';

/** Why support acts, in their words: it is kept in the audit. */
export const SupportReason = Type.String({ minLength: 1, maxLength: SUPPORT_REASON_MAX_LENGTH, pattern: TEXT_PATTERN, description: 'why, kept in the audit' });

/** One support action as the audit shows it: who, when, what, on which order and payment, and why. */
export const AuditEntrySchema = Type.Object({
  id: Id,
  at: Timestamp,
  actor: Type.String({ description: 'the token\'s subject, or its role when it names no user' }),
  action: Type.Enum(SUPPORT_ACTION),
  orderId: Id,
  paymentId: nullable(Id),
  reason: nullable(Type.String()),
  details: Type.Object({}, { additionalProperties: true }),
}, { $id: 'AuditEntry', description: 'One support action: who, when, what, on which order and payment, and why' });

/** GET /orders/:orderId/audit: the order's support actions, oldest first. */
export const AuditListSchema = Type.Object({ items: Type.Array(AuditEntrySchema) }, { $id: 'AuditList', description: 'An order\'s support actions, oldest first' });
