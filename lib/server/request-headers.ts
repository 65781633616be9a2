// What the custom server tells the app about each request: the client's address,
// scheme and path, in headers a client cannot forge (any it sent are replaced).
import type { IncomingMessage } from 'node:http';
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from '@/lib/auth/request-meta';

export const PATH_HEADER = 'x-hostdeck-path';

export function stampRequest(req: IncomingMessage, trustProxy: boolean): void {
  const forwardedFor = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  const forwardedProto = trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() : '';
  const socketAddress = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  req.headers[CLIENT_IP_HEADER] = forwardedFor || socketAddress;
  req.headers[CLIENT_PROTO_HEADER] = forwardedProto || ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http');
  req.headers[PATH_HEADER] = (req.url ?? '/').slice(0, 2048);
}
