import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { oauthError } from '../errors/oauth-error.js';
import { BROWSER_STATE_COOKIE, browserState } from '../sessions/browser-state.js';
import type { Runtime } from '../runtime.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { paths } from './capabilities.js';
import { redirectOrigin } from './session-state.js';

/**
 * OIDC Session Management 1.0 section 3.2: the OP iframe. An RP embeds
 * `{issuer}/check_session` and posts it "client_id session_state"; the iframe answers
 * (to the sender's origin only) `unchanged` when recomputing session_state from the
 * client id, the sender's origin, the browser state cookie and the salt gives the same
 * value, `changed` when not, and `error` for a malformed message or an origin that is
 * not one of the client's redirect URI origins. That origin check (one same-origin POST
 * per client and origin, remembered by the page) keeps other sites from using the frame
 * as an "is this browser signed in?" oracle: the unauthenticated browser state is not a
 * secret.
 *
 * The page is the same for everyone at a tenant (the cookie is read in the browser), so
 * it is built once per tenant revision, cached by browsers briefly, and its script is
 * allowed by hash. It is meant to be framed by RPs on other origins: frame-ancestors
 * allows any, and helmet's X-Frame-Options is removed for this page only.
 */

export const CHECK_SESSION_ORIGIN_PATH = `${paths.checkSession}/origin`;

/** SHA-256 in the page: crypto.subtle exists only in secure contexts, and this must also work on http in development. */
const SHA256_JS = `var K=[0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
function sha256hex(str){var m=new TextEncoder().encode(str),l=m.length,i,j;var w=new Uint32Array((((l+8)>>6)+1)<<4);
for(i=0;i<l;i++)w[i>>2]|=m[i]<<(24-(i&3)*8);w[l>>2]|=0x80<<(24-(l&3)*8);w[w.length-1]=l*8;
var H=[0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19],W=new Uint32Array(64);
for(i=0;i<w.length;i+=16){for(j=0;j<16;j++)W[j]=w[i+j];
for(j=16;j<64;j++){var x=W[j-15],y=W[j-2];W[j]=(((x>>>7|x<<25)^(x>>>18|x<<14)^(x>>>3))+W[j-7]+((y>>>17|y<<15)^(y>>>19|y<<13)^(y>>>10))+W[j-16])>>>0;}
var a=H[0],b=H[1],c=H[2],d=H[3],e=H[4],f=H[5],g=H[6],h=H[7];
for(j=0;j<64;j++){var t1=(h+((e>>>6|e<<26)^(e>>>11|e<<21)^(e>>>25|e<<7))+((e&f)^(~e&g))+K[j]+W[j])>>>0;var t2=(((a>>>2|a<<30)^(a>>>13|a<<19)^(a>>>22|a<<10))+((a&b)^(a&c)^(b&c)))>>>0;h=g;g=f;f=e;e=(d+t1)>>>0;d=c;c=b;b=a;a=(t1+t2)>>>0;}
H[0]=(H[0]+a)>>>0;H[1]=(H[1]+b)>>>0;H[2]=(H[2]+c)>>>0;H[3]=(H[3]+d)>>>0;H[4]=(H[4]+e)>>>0;H[5]=(H[5]+f)>>>0;H[6]=(H[6]+g)>>>0;H[7]=(H[7]+h)>>>0;}
var out='';for(i=0;i<8;i++)out+=('00000000'+H[i].toString(16)).slice(-8);return out;}`;

/** The page's script; exported for tests that run the same algorithm as an RP's browser would. */
export function checkSessionScript(anonymousState: string, originCheckUrl: string): string {
  const literal = (v: string) => JSON.stringify(v).replace(/</g, '\\u003c');
  return `(function(){'use strict';
${SHA256_JS}
var ANONYMOUS=${literal(anonymousState)},ORIGIN_CHECK=${literal(originCheckUrl)},allowed={};
function browserState(){var m=document.cookie.match(/(?:^|;\\s*)${BROWSER_STATE_COOKIE}=([A-Za-z0-9_-]+)/);return m?m[1]:ANONYMOUS;}
function originAllowed(clientId,origin,done){var key=clientId+' '+origin;if(Object.prototype.hasOwnProperty.call(allowed,key))return done(allowed[key]);
fetch(ORIGIN_CHECK,{method:'POST',credentials:'omit',headers:{'content-type':'application/x-www-form-urlencoded'},body:'client_id='+encodeURIComponent(clientId)+'&origin='+encodeURIComponent(origin)})
.then(function(r){allowed[key]=r.status===204;done(allowed[key]);},function(){done(false);});}
window.addEventListener('message',function(e){if(!e.source||typeof e.data!=='string')return;
var reply=function(v){try{e.source.postMessage(v,e.origin);}catch(x){}};
var sp=e.data.lastIndexOf(' ');if(sp<1)return reply('error');
var clientId=e.data.slice(0,sp),ss=e.data.slice(sp+1),dot=ss.lastIndexOf('.');
if(dot<1||dot===ss.length-1||!/^[0-9a-f]{64}$/.test(ss.slice(0,dot)))return reply('error');
var salt=ss.slice(dot+1);
originAllowed(clientId,e.origin,function(ok){if(!ok)return reply('error');
reply(sha256hex(clientId+' '+e.origin+' '+browserState()+' '+salt)+'.'+salt===ss?'unchanged':'changed');});
},false);})();`;
}

interface CheckSessionPage {
  html: string;
  csp: string;
  etag: string;
}

const pages = new WeakMap<TenantContext, CheckSessionPage>();

function page(rt: Runtime, tenant: TenantContext): CheckSessionPage {
  let p = pages.get(tenant);
  if (!p) {
    const script = checkSessionScript(browserState(rt, tenant, null), tenant.issuer + CHECK_SESSION_ORIGIN_PATH);
    const hash = createHash('sha256').update(script).digest('base64');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Session check</title></head><body><script>${script}</script></body></html>`;
    p = {
      html,
      csp: [
        "default-src 'none'",
        `script-src 'sha256-${hash}'`,
        "connect-src 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        // Embedded by RPs on their own origins (Session Management 1.0 section 3.3).
        'frame-ancestors *',
      ].join('; '),
      etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`,
    };
    pages.set(tenant, p);
  }
  return p;
}

/** GET `{issuer}/check_session`: the OP iframe. */
export const checkSession =
  (rt: Runtime) =>
  (tenant: TenantContext, req: Request, res: Response): void => {
    const p = page(rt, tenant);
    res.removeHeader('X-Frame-Options');
    res.setHeader('Content-Security-Policy', p.csp);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('ETag', p.etag);
    if (req.headers['if-none-match'] === p.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.status(200).end(p.html);
  };

/**
 * POST `{issuer}/check_session/origin` with `client_id` and `origin`: 204 when the
 * origin is that of one of the client's redirect URIs (the origins session_state is
 * ever computed for), 403 otherwise. Called by the iframe above, same-origin.
 */
export const checkSessionOrigin =
  (rt: Runtime) =>
  async (tenant: TenantContext, req: Request, res: Response): Promise<void> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const clientId = body.client_id;
    const origin = body.origin;
    res.setHeader('Cache-Control', 'no-store');
    if (typeof clientId !== 'string' || typeof origin !== 'string' || !clientId || clientId.length > 256 || origin.length > 2048) {
      throw oauthError('invalid_request', 'client_id and origin are required');
    }
    const client = await rt.clients.find(tenant, clientId);
    if (!client || !client.redirectUris.some((uri) => redirectOrigin(uri) === origin)) {
      throw oauthError('access_denied', 'the origin is not registered for this client');
    }
    res.status(204).end();
  };
