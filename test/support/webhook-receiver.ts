import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received (what a signature covers). */
  raw: string;
  body: any;
  at: number;
  /** Whether the receiver has answered it (false while it holds the request). */
  answered: boolean;
}

/** What to answer the n-th request (from 0): a status code, or `hang` to hold it unanswered. */
export type Responder = (n: number, delivery: ReceivedDelivery) => number | 'hang';

/** A webhook endpoint on loopback over real HTTP, recording every POST it gets. */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  private server?: Server;
  private readonly held = new Set<ServerResponse>();

  constructor(public respond: Responder = () => 200) {}

  /** Listens on `port` (0: any free one) and returns the URL to register. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        const delivery: ReceivedDelivery = {
          headers: req.headers,
          raw,
          body: JSON.parse(raw),
          at: Date.now(),
          answered: false,
        };
        const n = this.received.push(delivery) - 1;
        const answer = this.respond(n, delivery);
        if (answer === 'hang') {
          this.held.add(res);
          res.on('close', () => this.held.delete(res));
          return;
        }
        delivery.answered = true;
        res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return this.url;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hook`;
  }

  /** The deliveries of one event type, in arrival order. */
  of(type: string): ReceivedDelivery[] {
    return this.received.filter((d) => d.body.type === type);
  }

  async close(): Promise<void> {
    this.held.forEach((res) => res.destroy());
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
