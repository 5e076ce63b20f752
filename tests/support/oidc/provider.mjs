// A real OpenID provider for the console's browser tests: panva's oidc-provider (OpenID
// Certified), with its development login and consent pages (any login is the `sub`, any
// password passes). Configured by OIDC_TEST_PROVIDER (JSON: issuer, port, clients,
// accounts); listens on 127.0.0.1 only and prints "ready" once it does.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Provider } from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_PROVIDER);
// A fresh signing key per run: nothing is kept on disk.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-es256', alg: 'ES256', use: 'sig' };

const provider = new Provider(config.issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
    ...client,
  })),
  jwks: { keys: [signingKey] },
  // The role claim rides on the `openid` scope and in the ID token itself, where the
  // control-api reads it (not only at the userinfo endpoint).
  claims: { openid: ['sub', 'groups'] },
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = config.accounts[sub] ?? { groups: [] };
    return { accountId: sub, claims: async () => ({ sub, groups: account.groups }) };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 3600, Grant: 3600 },
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log('ready');
});
