// The CLI's API client against answers the petstore API never gives but a proxy in front of it does.
import { answerOf, ApiError, createApiClient } from '../../cli/api-client';
import { EXIT } from '../../cli/errors';

const answering = (status: number, body: string, contentType: string) =>
  createApiClient({ baseUrl: 'http://petstore.test', fetchImpl: async () => new Response(body, { status, headers: { 'content-type': contentType } }) });

const BAD_GATEWAY_PAGE = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body>\n</html>';

describe('the API client', () => {
  it('turns an HTML 502 from a proxy into a message with the status, not a SyntaxError', async () => {
    const error = await answering(502, BAD_GATEWAY_PAGE, 'text/html').GET('/pets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, exitCode: EXIT.failure });
    expect((error as Error).message).toMatch(/^GET \/pets failed with 502: .*not from the petstore API\? \(text\/html: <html> <head><title>502 Bad Gateway/);
  });

  it('says so when a success answer is not JSON', async () => {
    const error = await answering(200, 'OK', 'text/plain').GET('/pets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toBe('GET /pets answered 200 with a body that is not JSON (text/plain: OK)');
  });

  it('still reads a problem document', async () => {
    const body = JSON.stringify({ type: 'urn:petstore:problem:conflict', title: 'Conflict', status: 409, detail: 'pet is reserved', instance: '/pets/x' });
    const error = await answering(409, body, 'application/problem+json').DELETE('/pets/{id}', { params: { path: { id: 'x' } } }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('DELETE /pets/x failed with 409: pet is reserved');
  });

  it('is typed by the OpenAPI document: routes, methods, parameters, request and response bodies (tsc in npm test fails on drift)', async () => {
    const api = answering(200, JSON.stringify({ id: 'x', stock: 3 }), 'application/json');
    // @ts-expect-error no such route in cli/api-types.ts
    const unknownRoute = () => api.GET('/petz');
    // @ts-expect-error the document has no PUT /orders
    const wrongMethod = () => api.PUT('/orders');
    // @ts-expect-error /pets takes no query parameter "specie"
    const unknownQuery = () => api.GET('/pets', { params: { query: { specie: 'dog' } } });
    // @ts-expect-error a restock's quantity is a number
    const wrongBody = () => api.POST('/pets/{id}/restock', { params: { path: { id: 'x' } }, body: { quantity: 'one' } });
    // @ts-expect-error the path parameter is required
    const missingParam = () => api.GET('/pets/{id}');
    const restocked = await answerOf(api.POST('/pets/{id}/restock', { params: { path: { id: 'x' } }, body: { quantity: 1 } }));
    const stock: number = restocked.stock;
    // @ts-expect-error a Pet has no field "stok"
    const misspelt: unknown = restocked.stok;
    expect([unknownRoute, wrongMethod, unknownQuery, wrongBody, missingParam].map((call) => typeof call)).toEqual(['function', 'function', 'function', 'function', 'function']);
    expect([stock, misspelt]).toEqual([3, undefined]);
  });

  it('says it cannot reach a server that does not answer, and keeps the path of a refused request', async () => {
    const down = createApiClient({ baseUrl: 'http://petstore.test', fetchImpl: async () => Promise.reject(new TypeError('fetch failed', { cause: 'ECONNREFUSED' })) });
    await expect(down.GET('/pets')).rejects.toThrow(/^cannot reach the petstore API at http:\/\/petstore\.test \(ECONNREFUSED\): is it running/);
    const notFound = await answering(404, JSON.stringify({ title: 'Not Found', status: 404, detail: 'no pet x' }), 'application/problem+json').GET('/pets/{id}', { params: { path: { id: 'x' } } }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ status: 404, exitCode: EXIT.notFound, message: 'no pet x' });
  });
});
