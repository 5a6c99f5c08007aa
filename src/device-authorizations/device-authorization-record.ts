/**
 * One Device Authorization Grant (RFC 8628) from the device's request to its token
 * response. Stored by the keyed hash of its device code (`_id`); the user code is kept
 * only as a keyed hash too. `pending` until a user approves (`approved`, with the grant
 * made then) or denies (`denied`) it on the device page; `consumed` once the device
 * got its tokens (single use).
 */
export interface DeviceAuthorizationRecord {
  /** Keyed hash of the device code; the code itself is never stored. */
  _id: string;
  tenantId: string;
  /** Keyed hash of the normalised user code (8 letters, no dash). */
  userCodeHash: string;
  clientId: string;
  /** Requested scopes, already narrowed to what the client may request. */
  scopes: string[];
  /**
   * RFC 8707 resources named at the device authorization endpoint, already checked
   * (oidc/resource-indicators/authorization.ts); the approved grant carries them. Absent
   * on records stored before resource indicators reached the device flow.
   */
  resource?: string[];
  status: 'pending' | 'approved' | 'denied' | 'consumed';
  /** Seconds the device must wait between polls; grows by 5 at each slow_down. */
  interval: number;
  /** The earliest time of the next poll that is not answered slow_down. */
  nextPollAt: Date;
  /** Set on approval: the grant the tokens are issued from, and its user. */
  grantId: string | null;
  userId: string | null;
  createdAt: Date;
  expiresAt: Date;
}
