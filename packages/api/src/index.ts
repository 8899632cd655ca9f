// @backlot/api: a typed HTTP client for the Backlot API over fetch (or another HttpClient), for Node and the browser.
//
//   const api = new BacklotApi({ baseUrl: 'http://127.0.0.1:8080' });
//   await api.auth.login({ email, password });          // bearer; { session: 'cookie' } in a browser
//   const board = await api.browse.board(projectId, { view: 'my' });
export { BacklotApi, type BacklotApiOptions } from './api.js';
export { Transport, type TransportOptions, type CallInit, type BinaryAnswer, type Query, type QueryValue } from './transport.js';
export { ApiError, NetworkError, ProtocolError, type ApiErrorCode } from './errors.js';
export { withRetry, isRetryable, type RetryOptions } from './retry.js';
export { Session, readCsrfCookie, CSRF_COOKIE, CSRF_HEADER, type Auth } from './session.js';
export { ROUTES, LIVE_EVENTS, API_PREFIX, fillPath, isIdempotent, type Route, type RouteName, type Method, type PathParams } from './routes.js';
export { type BinaryBody, type ByteStream, readAll } from './bytes.js';
export { fetchClient, type HttpClient, type HttpRequest, type HttpAnswer, type AnswerHeaders } from './http-client.js';
export { encodeFrames, decodeFrames, frameHeader, FRAME_HEADER_BYTES, MAX_FRAME_BYTES, type EncodedChunk } from './frames.js';
export { parseLiveMessage, type LiveEvents, type LiveSocket, type SocketFactory } from './events.js';
export { MAX_CHECK_IDS, MAX_FETCH_IDS, MAX_MANIFEST_IDS, type FileDownload, type PreviewType } from './content.js';
export type { Fields } from './production.js';
export type { AssetQuery } from './browse.js';
export type { AuditExportFormat } from './audit.js';
export type { ClientOp } from './sync.js';
export type { Account } from './auth.js';
export type { StudioFields } from './studios.js';
export type { TokenFields } from './identity.js';
export type { StudioMemberChange } from './members.js';
export type { RoleFields } from './roles.js';
export type * from './contract.js';
