// The CLI's API client against answers the petstore API never gives but a proxy in front of it does.
import { ApiError, createApiClient } from '../../cli/api-client';
import { EXIT } from '../../cli/errors';

const answering = (status: number, body: string, contentType: string) =>
  createApiClient({ baseUrl: 'http://petstore.test', fetchImpl: async () => new Response(body, { status, headers: { 'content-type': contentType } }) });

const BAD_GATEWAY_PAGE = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body>\n</html>';

describe('the API client', () => {
  it('turns an HTML 502 from a proxy into a message with the status, not a SyntaxError', async () => {
    const error = await answering(502, BAD_GATEWAY_PAGE, 'text/html').request('GET', '/pets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, exitCode: EXIT.failure });
    expect((error as Error).message).toMatch(/^GET \/pets failed with 502: .*not from the petstore API\? \(text\/html: <html> <head><title>502 Bad Gateway/);
  });

  it('says so when a success answer is not JSON', async () => {
    const error = await answering(200, 'OK', 'text/plain').request('GET', '/pets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toBe('GET /pets answered 200 with a body that is not JSON (text/plain: OK)');
  });

  it('still reads a problem document', async () => {
    const body = JSON.stringify({ type: 'urn:petstore:problem:conflict', title: 'Conflict', status: 409, detail: 'pet is reserved', instance: '/pets/x' });
    const error = await answering(409, body, 'application/problem+json').request('DELETE', '/pets/x').catch((e: unknown) => e);
    expect((error as Error).message).toBe('DELETE /pets/x failed with 409: pet is reserved');
  });

  it('is typed by the OpenAPI document: a route it lacks, or a method a route does not take, fails the typecheck (tsc in npm test)', () => {
    const api = answering(200, '{}', 'application/json');
    // @ts-expect-error no such route in cli/api-types.ts
    const unknownRoute = () => api.request('GET', '/petz');
    // @ts-expect-error the document has no PUT /orders
    const wrongMethod = () => api.request('PUT', '/orders');
    const documented = () => api.request('POST', '/pets/x/restock', { body: { quantity: 1 } });
    expect([unknownRoute, wrongMethod, documented].map((call) => typeof call)).toEqual(['function', 'function', 'function']);
  });
});
