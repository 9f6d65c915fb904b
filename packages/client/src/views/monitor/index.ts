export { LiveView, type FeedMessage, type HostView, type LiveSnapshot, type LiveUpdate, type SlotUse } from './live-view';
export { renderFrame, elapsed, type FrameOptions } from './render-frame';
