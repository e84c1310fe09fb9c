/**
 * The one error hierarchy of the worker. Every error knows its HTTP status and
 * how to become a response, so `app.onError` has a single branch for all of
 * them and handlers never build error responses by hand.
 */

/** An error that maps to an HTTP status and a plain-text or JSON body. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): Response {
    return new Response(`${this.message}\n`, {
      status: this.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...this.headers },
    });
  }
}

/** Bad input from a JSON API client: answered as `{ "error": ... }`. */
export class JsonApiError extends HttpError {
  override readonly name = 'JsonApiError';
  override toResponse(): Response {
    return Response.json({ error: this.message }, { status: this.status, headers: this.headers });
  }
}

/**
 * The deployment's configuration is invalid. Fails loudly (500) with a message
 * naming the bad key, never silently falls back to a default (docs/configuration.md §1).
 */
export class ConfigError extends HttpError {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(500, `invalid configuration: ${key}: ${detail}`);
  }
}
