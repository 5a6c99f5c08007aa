/**
 * Every tenant setting has exactly one default, here. Lifetimes are in seconds.
 * They mirror the settings users of django-oidc-provider know (OIDC_CODE_EXPIRE,
 * OIDC_IDTOKEN_EXPIRE, OIDC_TOKEN_EXPIRE) and can be overridden per tenant.
 */
export const tenantDefaults = {
  /** Authorization code lifetime. Short: codes are redeemed within seconds. */
  codeTtl: 60,
  /** ID token lifetime. */
  idTokenTtl: 3600,
  /** Access token lifetime; also bounds how long a RETIRED key stays published. */
  accessTokenTtl: 3600,
  /** Refresh token lifetime (absolute, from issue). */
  refreshTokenTtl: 30 * 24 * 3600,
  /**
   * Refresh token rotation grace (seconds, 0-300): a rotated-out refresh token presented
   * again by its own client within this long after its rotation gets a new token set
   * instead of revoking its family — a client whose response was lost (crash, timeout)
   * retries without logging the user out. 0 (default) is strict rotation: any reuse
   * revokes the family (RFC 9700 4.14.2). Trade-off: docs/token-services.md.
   */
  refreshTokenReuseGraceSeconds: 0,
  /** How long a granted consent is reused before the user is asked again. */
  consentTtl: 90 * 24 * 3600,
  /** Login session lifetime. */
  sessionTtl: 14 * 24 * 3600,
  /**
   * How long a login/consent page stays usable after the authorization request that
   * opened it: long enough to type a password, short enough that a forgotten tab is dead.
   */
  interactionTtl: 10 * 60,
  /** Signs access tokens and is the ID token default (docs/openid-connect.md "Key families"). */
  signingAlg: 'RS256' as const,
  subjectType: 'public' as 'public' | 'pairwise',
  dynamicRegistration: 'TOKEN' as 'OPEN' | 'TOKEN' | 'DISABLED',
  passwordGrant: false,
  /**
   * The `acr` (OIDC Core 2) of a password login, the one way users authenticate today: it
   * goes in ID tokens, access tokens and (when asked for) userinfo, and is the one value
   * of `acr_values_supported`. A URN of the platform by default; a tenant that maps its
   * logins to a framework (e.g. eIDAS, NIST 800-63 "aal1") sets its own value.
   */
  passwordAcr: 'urn:gatehouse:acr:password',
  /**
   * Key families the tenant publishes in its JWKS and signs with (keys/families.ts):
   * RSA (RS256, PS256), EC (ES256, P-256), OKP (EdDSA, Ed25519). At least one; signingAlg
   * and every client's ID token and userinfo algorithm must belong to one of them.
   */
  keyFamilies: ['RSA', 'EC', 'OKP'] as ('RSA' | 'EC' | 'OKP')[],
  /** Rotate keys automatically every N days; 0 = only on demand. */
  keyRotationDays: 0,
  /**
   * Grant types the tenant's clients may be registered for and use at the token
   * endpoint. Narrow it to forbid a flow for a whole tenant (e.g. no implicit) without
   * auditing every client; the default allows every grant the provider supports.
   */
  allowedGrantTypes: [
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'implicit',
    'password',
    'urn:ietf:params:oauth:grant-type:token-exchange',
    'urn:ietf:params:oauth:grant-type:device_code',
  ] as string[],
  /**
   * The `audience` and `resource` values token exchange (RFC 8693) may issue tokens for,
   * e.g. ["https://api.example.com", "orders-service"]. Empty by default: a token is
   * exchanged only for this tenant itself until the tenant names its downstream APIs, so
   * no client can mint tokens for an arbitrary audience.
   */
  allowedAudiences: [] as string[],
  /**
   * A request_uri (RFC 9101) is fetched only when the client registered it in
   * request_uris. True by default: otherwise any client could make the provider fetch
   * any public URL it names; false suits clients that mint one-time URLs.
   */
  requireRequestUriRegistration: true as boolean,
  /**
   * A client that registered no request_object_signing_alg may send unsigned (`alg: none`)
   * request objects. OIDC Registration 2 lets such a client use any algorithm the provider
   * supports, and the OpenID conformance suite (Dynamic plan, oidcc-request-uri-unsigned)
   * relies on it; false by default because an unsigned object proves nothing about who
   * wrote it. A client that registered an algorithm must use exactly that one either way.
   */
  allowUnsignedRequestObjects: false as boolean,
  /**
   * RFC 8707 resource indicators: `resource` at authorize, PAR and token names one of the
   * tenant's resource servers (createResourceServer), and the access token is for it alone
   * (its identifier as `aud`, the scopes it accepts, its format and lifetime). False: the
   * parameter is ignored and not announced (docs/token-services.md "Resource indicators").
   */
  resourceIndicators: true as boolean,
  /**
   * Device Authorization Grant (RFC 8628; docs/openid-connect.md "Device authorization
   * grant"): the device_authorization_endpoint, the `{issuer}/device` page and the
   * device_code grant. On by default; a client still needs the grant type registered.
   */
  deviceFlow: true as boolean,
  /** How long a device code and its user code stay usable (seconds, 1-86400); 10 minutes is time to find a phone and sign in. */
  deviceCodeLifetime: 600,
  /** Seconds a device must wait between token requests (1-300); each poll that comes sooner adds 5 (RFC 8628 3.5 slow_down). */
  devicePollingInterval: 5,
  /** Pushed Authorization Requests (RFC 9126, oidc/par/): the endpoint exists and is announced. */
  pushedAuthorizationRequests: true as boolean,
  /** Every authorization request must come through PAR (discovery require_pushed_authorization_requests). */
  requirePushedAuthorizationRequests: false as boolean,
  /** Every authorization request must be a signed request object (RFC 9101 require_signed_request_object). */
  requireSignedRequestObject: false as boolean,
  /** FAPI2_SECURITY switches on the FAPI 2.0 Security Profile rules (oidc/fapi/, docs/openid-connect.md). */
  securityProfile: 'DEFAULT' as 'DEFAULT' | 'FAPI2_SECURITY',
  /**
   * DPoP (RFC 9449, docs/token-services.md "DPoP"): a token request with a valid proof gets
   * tokens bound to the proof's key (`cnf.jkt`, token_type DPoP). Off: proofs are ignored at
   * issuance and nothing is announced; tokens bound earlier stay bound. Default on.
   */
  dpop: true as boolean,
  /**
   * Require server-provided DPoP nonces (RFC 9449 8, 9): a proof without a current nonce gets
   * `use_dpop_nonce` and a `DPoP-Nonce` header. Limits pre-generated proofs; costs the client
   * one extra round trip per nonce rotation. Default off.
   */
  dpopNonce: false as boolean,
};

export type TenantSettings = typeof tenantDefaults;

/** Algorithms a tenant signs with; each has its own NEXT and ACTIVE key. */
export const signingAlgs = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof signingAlgs)[number];

/**
 * Documents a client points the provider at and the provider fetches while a request
 * waits (sector_identifier_uri at registration, request_uri at the authorization
 * endpoint): small, and answered quickly or not at all.
 */
export const clientDocumentLimits = {
  timeoutMs: 3_000,
  maxBytes: 64 * 1024,
};

export const limits = {
  /** Largest accepted request body (forms and JSON). */
  bodyBytes: 64 * 1024,
  /** Cached tenant contexts per process (design target: 10,000 tenants). */
  tenantCacheSize: 20_000,
  /** Cached client records per process, all tenants together (clients/client-directory.ts). */
  clientCacheSize: 50_000,
  /**
   * Background re-reads of cached clients per second and process, at most
   * (clients/client-directory.ts): each is a database read, so the re-reads of many
   * tenants' clients coming due together queue instead of competing with requests.
   */
  clientRevalidationsPerSecond: 20,
  /**
   * An admin request whose process has not confirmed the revocation state within the
   * cache sync interval polls for it first, and answers 503 if that poll takes longer
   * than this (docs/administering.md "Revoking admin credentials"): within the
   * promise that no request waits more than about 2 s (docs/operations.md).
   */
  adminRevocationConfirmMs: 1_500,
};

/**
 * Events, event webhooks and outbound calls of claim resolvers and hooks (platform-wide:
 * they bound work the provider does on the tenants' behalf).
 */
export const extensionDefaults = {
  /** Events stay queryable this long, then are swept: long enough for a monthly review. */
  eventRetentionDays: 30,
  /** Delivery records (the delivery log) are kept this long. */
  deliveryRetentionDays: 7,
  /**
   * First retry of a failed event delivery after this many seconds, doubling each time
   * (10 s, 20 s, 40 s … about 21 minutes before the 8th and last attempt): a receiver
   * that is down for a deploy still gets everything. GATEHOUSE_WEBHOOK_RETRY_SECONDS
   * overrides it (tests use a fraction of a second).
   */
  deliveryRetrySeconds: 10,
  /** Attempts per delivery before it is marked FAILED (GATEHOUSE_WEBHOOK_MAX_ATTEMPTS). */
  deliveryMaxAttempts: 8,
  /** A receiver must answer within this; a slow one is a failed attempt, retried later. */
  deliveryTimeoutMs: 10_000,
  /**
   * Claim webhooks run inside a login: short by default so a slow endpoint costs a
   * user at most this much (the claim is then left out). Per resolver: 100-10000 ms.
   */
  claimWebhookTimeoutMs: 1_500,
  /** How long a claim webhook's answer is reused for the same user, client and scopes. */
  claimWebhookCacheSeconds: 60,
  /** Code resolvers and code hooks are the tenant's own code, but a hung one must not hang a login. */
  codeTimeoutMs: 5_000,
  /** Largest answer read from a claim or hook webhook. */
  webhookResponseBytes: 64 * 1024,
};

/** Bounds on what clients present (docs/security.md). */
export const securityDefaults = {
  /**
   * Longest life of a client assertion (RFC 7523): `exp - iat`, and how far ahead `exp`
   * may be, in seconds. Its jti is remembered until exp, so this also bounds that
   * record. GATEHOUSE_CLIENT_ASSERTION_MAX_LIFETIME_SECONDS overrides it.
   */
  clientAssertionMaxLifetimeSeconds: 300,
};

/**
 * How the provider behaves when the database is away or slow, and how long it lets a
 * client hold a connection (docs/operations.md). Each has an environment variable.
 */
export const resilienceDefaults = {
  /**
   * GATEHOUSE_DB_TIMEOUT_MS: the longest any request waits for one database operation.
   * After it the request gets a 503 and the store probes the database; while the probe
   * fails, further operations fail at once (no request queues behind a dead database).
   * 1.5 s keeps every answer within the ~2 s promised in docs/operations.md; raise it only for a
   * database that is slow on purpose (e.g. far away).
   */
  dbTimeoutMs: 1_500,
  /** While the database is known to be down, it is probed this often (recovery without a restart). */
  dbProbeIntervalMs: 500,
  /**
   * While the database is down and pings on the existing connection keep failing this
   * long, the store also tries a fresh client; if that answers, it rebuilds the
   * connection (store/reconnect.ts: the driver's monitor can stay stuck after a freeze).
   */
  dbReconnectAfterMs: 3_000,
  /** Retry-After (seconds) sent with every 503 caused by the database. */
  retryAfterSeconds: 5,
  /**
   * GATEHOUSE_DB_START_TIMEOUT_SECONDS: how long a process that starts while the database
   * is unreachable keeps trying (readiness 503, liveness 200) before it gives up and
   * exits 1. 0 = forever (what an orchestrator with its own restart policy may prefer).
   */
  dbStartTimeoutSeconds: 300,
  /** HTTP_HEADERS_TIMEOUT_MS: a client must send all request headers within this. */
  headersTimeoutMs: 10_000,
  /** HTTP_REQUEST_TIMEOUT_MS: a client must send the whole request (headers and body) within this (408 after). */
  requestTimeoutMs: 30_000,
};

/** The key pool: pre-generated key pairs for new tenants (keys/key-pool.ts, docs/keys.md "Key pool"). */
export const keyPoolDefaults = {
  /**
   * GATEHOUSE_KEY_POOL_TENANTS: how many new tenants' worth of key pairs the pool keeps
   * ready; per family that is this many times what a tenant with every family takes (4 RSA,
   * 2 EC, 2 OKP). 10 lets a burst of ten onboardings skip RSA key generation (about a second
   * each on two cores); 0 turns the pool off (every tenant's keys are generated when it is made).
   */
  tenants: 10,
  /** A pooled pair older than this is discarded, never handed out: key material does not wait long unused. */
  maxAgeMs: 24 * 3600 * 1000,
  /** How often each replica checks whether the pool needs refilling (a claim in this process also wakes it). */
  checkIntervalMs: 30_000,
  /** How long the refill lease holds without renewal; renewed before every pair. */
  leaseMs: 60_000,
  /**
   * The refill waits until this process made no claim for this long, and pauses when one
   * comes: an onboarding burst gets the CPU, the pool refills after it.
   */
  quietMs: 2_000,
};

export const RESERVED_SLUGS = new Set(['system']);
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Every request the provider makes to a URL a tenant, client or registrant chose
 * (jwks_uri, webhooks, hooks, claim resolvers, back-channel logout) goes through
 * src/outbound/ and these bounds, unless the caller asks for less.
 */
export const outboundDefaults = {
  /** Whole request (connect, TLS, answer) within this (GATEHOUSE_OUTBOUND_TIMEOUT_MS). */
  timeoutMs: 5_000,
  /** Largest answer read (GATEHOUSE_OUTBOUND_MAX_BYTES); a JWK Set or webhook answer is far smaller. */
  maxBytes: 1024 * 1024,
  /** Redirects followed by callers that follow them at all, each hop checked again. */
  maxRedirects: 3,
};

/** Pushed Authorization Requests (RFC 9126, oidc/par/). */
export const pushedRequestDefaults = {
  /** A request_uri lives this long (expires_in): RFC 9126 suggests 5 to 600 s; one minute is enough to redirect. */
  lifetimeSeconds: 60,
};

/** DPoP proof checks (platform-wide; docs/token-services.md "DPoP"). */
export const dpopDefaults = {
  /** A proof's `iat` may be at most this old (seconds); its `jti` is remembered this long. */
  proofMaxAgeSeconds: 60,
  /** A proof's `iat` may lie this far in the future (seconds): the client's clock may run ahead. */
  proofSkewSeconds: 10,
  /** A server nonce is valid for one to two of these periods (seconds), then the client is sent a new one. */
  nonceSeconds: 300,
  /** Proof ids remembered in each process in front of the database (replays seen here cost no round trip). */
  replayCacheSize: 10_000,
};
