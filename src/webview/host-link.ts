// The webview's side of the host protocol (protocol.ts): every message from the extension host is
// validated; responses settle the webview's requests, everything else goes to the panel.

import {
  parseHostMessage, type HostNotification, type WebviewMessage, type WebviewNotification,
} from '../protocol';
import { Requester, type ParamsOf, type RequestType, type ResultOf } from '../rpc';
import { tryParse } from '../schema';

export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export class HostLink {
  private readonly requests: Requester;

  constructor(private readonly vscode: VsCodeApi, private readonly onMessage: (message: HostNotification) => void) {
    this.requests = new Requester((request) => vscode.postMessage(request));
  }

  receive(data: unknown): void {
    const parsed = tryParse(parseHostMessage, data);
    if (!parsed.ok) {
      this.log('error', `ignored a malformed message from the extension: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    if (m.type !== 'response') this.onMessage(m);
    else if (!this.requests.receive(m)) this.log('warn', `ignored a response to no pending request (id ${m.id})`);
  }

  notify(message: WebviewNotification): void {
    this.vscode.postMessage(message);
  }

  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    return this.requests.request(type, params);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.notify({ type: 'log', level, message });
  }
}
