import net from 'node:net';
import { LakefsClient } from './LakefsClient';
import { ZenmlClient } from './ZenmlClient';

describe('ZenML and lakeFS clients', () => {
  let server: net.Server;
  let baseUrl: string;
  const sockets = new Set<net.Socket>();

  // A server that takes the connection and never answers.
  beforeAll(async () => {
    server = net.createServer(socket => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise(resolve => server.close(resolve));
  });

  it('give up on a server that does not answer, saying which request', async () => {
    const zenml = new ZenmlClient({
      baseUrl,
      dashboardUrl: baseUrl,
      project: 'default',
      username: 'u',
      password: 'p',
      timeoutMs: 200,
    });
    const lakefs = new LakefsClient({
      baseUrl,
      uiUrl: baseUrl,
      accessKeyId: 'a',
      secretAccessKey: 's',
      timeoutMs: 200,
    });
    const started = Date.now();
    await expect(zenml.getRun('r1')).rejects.toThrow(
      'ZenML POST /api/v1/login did not answer within 200 ms',
    );
    await expect(lakefs.getCommit('data', 'c1')).rejects.toThrow(
      'lakeFS GET /api/v1/repositories/data/commits/c1 did not answer within 200 ms',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
