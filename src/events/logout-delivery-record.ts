export type LogoutDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/**
 * One back-channel logout token on its way to one client (oidc/end-session/back-channel.ts).
 * The retry schedule lives here, not in a timer, so a restart or a crash does not drop
 * it; any replica's poller picks up due rows, each claimed atomically (`lockedUntil`) so
 * exactly one replica sends each attempt.
 */
export interface LogoutDeliveryRecord {
  _id: string;
  tenantId: string;
  clientId: string;
  uri: string;
  /** The signed logout token (short-lived: past `expiresAt` it is given up). */
  token: string;
  status: LogoutDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  /** A worker holds the row until then (epoch 0 when free). */
  lockedUntil: Date;
  lastStatus: number | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}
