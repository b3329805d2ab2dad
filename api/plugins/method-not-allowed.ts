import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from './errors';

/** A route's URL pattern as a regular expression over request paths: `:param` is one segment, `*` the rest. */
export function pathPattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The methods the API serves on a path, from every registered route whose pattern matches it. */
export function allowedMethods(routes: readonly { pattern: RegExp; methods: readonly string[] }[], path: string): string[] {
  const allowed = new Set<string>();
  for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
  return [...allowed].sort();
}

/**
 * A request for a path the API serves, with a method it does not serve there, is a 405 with `Allow`
 * (RFC 9110 §15.5.6), not a 404: the resource exists. Register before the routes (its onRoute hook
 * must see them all); the check runs on the not-found route only, before a body is parsed, so an
 * unknown method that would carry a body (QUERY) is refused for what it is.
 */
export const methodNotAllowedPlugin = fp(
  async (app) => {
    const routes: { url: string; pattern: RegExp; methods: string[] }[] = [];
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = ([] as string[]).concat(route.method);
      const known = routes.find((r) => r.url === route.url);
      if (known) known.methods.push(...methods);
      else routes.push({ url: route.url, pattern: pathPattern(route.url), methods });
    });

    app.addHook('onRequest', async (request) => {
      if (!request.is404) return;
      const path = request.url.split('?', 1)[0] ?? '/';
      const allowed = allowedMethods(routes, path);
      if (allowed.length === 0) return;
      throw new HttpProblem(405, `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } });
    });
  },
  { name: 'petstore-method-not-allowed', fastify: '5.x', dependencies: ['petstore-errors'] },
);
