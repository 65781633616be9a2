// The parts of the viewer libraries Hostdeck uses (neither ships types).

declare module '@novnc/novnc' {
  export default class RFB extends EventTarget {
    constructor(
      target: HTMLElement,
      urlOrChannel: string | WebSocket,
      options?: { shared?: boolean; credentials?: Record<string, string>; wsProtocols?: string[] },
    );
    scaleViewport: boolean;
    resizeSession: boolean;
    clipViewport: boolean;
    focusOnClick: boolean;
    viewOnly: boolean;
    background: string;
    disconnect(): void;
    sendCtrlAltDel(): void;
    sendKey(keysym: number, code: string | null, down?: boolean): void;
    focus(): void;
  }
}

declare module '@spice-project/spice-html5' {
  export class SpiceMainConn {
    constructor(options: {
      uri: string;
      screen_id: string;
      password: string;
      message_id?: string;
      onerror?: (e: Error) => void;
      onsuccess?: () => void;
      onagent?: (sc: SpiceMainConn) => void;
    });
    stop(): void;
    ws?: WebSocket;
  }
  export function sendCtrlAltDel(sc: SpiceMainConn): void;
  export function resize_helper(sc: SpiceMainConn): void;
  export function handle_resize(event: Event): void;
}

declare module '@spice-project/spice-html5/src/ticket.js' {
  export function create_rsa_from_mb(buffer: ArrayBuffer, at: number): unknown;
  export function rsa_encrypt(rsa: unknown, text: string): number[];
}
