// `espflash/core`: the protocol internals and building blocks under the product API, for custom
// flows and tools: connect and the loader operations, the write engines and reconnects, reset
// sequences, opcodes, stub providers, fast-reflash pieces, image and partition details, the sim's
// device model and faults. Less stable than the root (`espflash`), which holds the product API.

export { BAUD_LADDER, createReconnector, lowerBaud } from './api/reconnect.js';
export type { SecurityInfo } from './core/connect/chip-detect.js';
export { type Connection, type ConnectOptions, connect } from './core/connect/connect.js';
export {
  classicReset,
  formatResetSequence,
  hardReset,
  parseResetSequence,
  type ResetStep,
  runResetSequence,
  unixTightReset,
  usbJtagSerialReset,
} from './core/connect/reset-sequences.js';
export { resetAfter } from './core/ops/after-reset.js';
export { eraseFlash, eraseRegion } from './core/ops/erase.js';
export { decodeFlashId, type FlashId, readFlashId } from './core/ops/flash-id.js';
export { flashMd5 } from './core/ops/md5-region.js';
export { readFlash } from './core/ops/read-flash.js';
export { readMac } from './core/ops/read-mac.js';
export { type HashFn, md5, md5Hex } from './core/protocol/md5.js';
export { OP, OPCODES, timeoutFor } from './core/protocol/opcodes.js';
export { statusError, statusMeaning } from './core/protocol/rom-errors.js';
export { realClock } from './core/session/clock.js';
export type { CommandRequest, CommandResponse, Loader } from './core/session/loader.js';
export { createMemoryTransportPair } from './core/session/memory-transport.js';
export { timeoutCode } from './core/session/session-errors.js';
export type { StubImage, StubProvider } from './core/session/stub-loader.js';
export { FLASH_FAILURE_HINT, isLinkLost } from './core/write/write-failure.js';
// The one write engine (resume, reconnect, MD5 verify; no reconnect hook = the plain case)
export {
  type ReconnectRequest,
  type ResilienceOptions,
  type WriteRegionOptions,
  type WriteRegionResult,
  writeRegion,
} from './core/write/write-region.js';
export { type CachedRegion, type DeviceCache, openDeviceCache } from './flash/device-cache.js';
export { fastReflashRegion } from './flash/fast-reflash.js';
export { defaultCostModel, diffSectors } from './flash/sector-diff.js';
export { DEFAULT_FLASH_TIME_LIMIT_MS, plannedBytes } from './flash/write-plan.js';
export {
  describeHeaderFlashParams,
  flashSizeToBytes,
  parseFlashFreq,
  parseFlashMode,
  parseFlashSize,
} from './image/flash-params.js';
export { buildAppDescriptor, buildBootloaderDescriptor } from './image/image-builder.js';
export { type DecodedLine, formatTimestamp, LineDecoder } from './monitor/line-decoder.js';
export { resolveMonitorBaud } from './monitor/monitor-baud.js';
export { createBaudMemory, espflashCacheDir } from './node/baud-memory.js';
export { classifyPort, type RawPortInfo, rankPorts } from './node/port-list.js';
export { createStubProvider, esptoolJsStubProvider } from './node/stub-assets.js';
export { looksLikeBinaryTable } from './partition/binary.js';
export { subtypeName, typeName } from './partition/lookup.js';
export { TABLE_BINARY_LENGTH } from './partition/types.js';
export { parseArgFile } from './project/arg-files.js';
export { parseFlasherArgs } from './project/flasher-args.js';
export { parseProjectDescription } from './project/project-description.js';
export { FAULT_KINDS, formatFaults, parseFaultSpecs } from './sim/fault-spec.js';
export type { SimFaults } from './sim/faults.js';
export { openSimUrl, resetSimRegistry } from './sim/sim-registry.js';
export { createVirtualChip, parseSimUrl } from './sim/sim-transport.js';
export { type SimMode, VirtualChip } from './sim/virtual-chip.js';
export { VirtualClock } from './sim/virtual-clock.js';
export { outputWatchSpec, sourceWatchSpec } from './watch/watch-paths.js';
