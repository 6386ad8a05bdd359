// Authentication as a Console does it: username/password → bearer token (JWT-looking, opaque to clients) with a
// lifetime, renewal of an unexpired token, and Basic auth accepted on every request.
import { createHmac, randomBytes, timingSafeEqual } from "crypto";
import { ConsoleHttpError } from "./http";

export interface AuthResult {
  kind: "bearer" | "basic" | "none";
  username?: string;
}

interface IssuedToken {
  username: string;
  expiresAt: number;
  /** Requests this token has authenticated. */
  uses: number;
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly signingKey = randomBytes(32);

  constructor(
    private readonly users: { username: string; password: string }[],
    private readonly ttlSeconds: number,
    /** A token stops working after this many requests (a Console with very short-lived tokens). */
    private readonly maxUses = Infinity,
  ) {}

  /** Checks a username and password; answers the Console's 401 when they do not match. */
  checkPassword(username: unknown, password: unknown): string {
    const user = this.users.find(
      (u) =>
        typeof username === "string" && typeof password === "string" && u.username === username,
    );
    if (!user || !sameString(user.password, String(password))) {
      throw new ConsoleHttpError(401, "Unauthorized: invalid username or password");
    }
    return user.username;
  }

  issue(username: string): string {
    const now = Date.now();
    const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64url(
      JSON.stringify({
        user: username,
        jti: randomBytes(12).toString("hex"),
        iat: Math.floor(now / 1000),
        exp: Math.floor(now / 1000 + this.ttlSeconds),
      }),
    );
    const signature = createHmac("sha256", this.signingKey).update(`${header}.${payload}`).digest();
    const token = `${header}.${payload}.${b64url(signature)}`;
    this.tokens.set(token, { username, expiresAt: now + this.ttlSeconds * 1000, uses: 0 });
    return token;
  }

  /** The user a bearer token belongs to, or a 401 when it is unknown or expired. */
  verify(token: string): string {
    const issued = this.tokens.get(token);
    if (!issued) throw new ConsoleHttpError(401, "Unauthorized: invalid token");
    if (Date.now() >= issued.expiresAt || issued.uses >= this.maxUses)
      throw new ConsoleHttpError(401, "Unauthorized: token expired");
    issued.uses += 1;
    return issued.username;
  }

  /** `GET authenticate/renew`: a new token for an unexpired one, which it replaces. */
  renew(token: string): string {
    const username = this.verify(token);
    this.tokens.delete(token);
    return this.issue(username);
  }

  /** Fault `expireToken`: every token issued so far stops working. */
  expireAll(): void {
    for (const issued of this.tokens.values()) issued.expiresAt = 0;
  }

  all(): string[] {
    return [...this.tokens.keys()];
  }

  /** Authenticates a request from its Authorization header (Bearer or Basic). */
  authenticate(header: string | undefined): AuthResult & { token?: string } {
    if (!header) return { kind: "none" };
    const [scheme, value = ""] = header.trim().split(/\s+/, 2);
    if (/^bearer$/i.test(scheme))
      return { kind: "bearer", username: this.verify(value), token: value };
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new ConsoleHttpError(401, "Unauthorized: malformed basic credentials");
      const username = this.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
      return { kind: "basic", username };
    }
    throw new ConsoleHttpError(401, "Unauthorized: unsupported authorization scheme");
  }
}
