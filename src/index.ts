// espflash's public programmatic API. The CLI is one client of exactly these exports.

export { type BoardInfo, Device, type WriteBinOptions } from './api/device.js';
export { type FlashProjectOptions, type FlashProjectResult, flashProject } from './api/flash-project.js';
export { DEFAULT_FLASH_BAUD, type OpenDeviceOptions, openDevice } from './api/open-device.js';
export { type LoadedPartitionTable, loadPartitionTable, partitionByLabel } from './api/partitions.js';
export { BAUD_LADDER, createReconnector, lowerBaud, type ReconnectPolicy } from './api/reconnect.js';
// Build and monitor
export { type FindIdfPyOptions, findIdfPy, type IdfPyCommand } from './build/find-idf.js';
export { type BuildResult, type BuildStream, type RunBuildOptions, runBuild } from './build/run-build.js';
// Chips
export {
  CHIP_NAMES,
  CHIPS,
  type ChipInfo,
  type ChipName,
  chipByImageId,
  chipInfo,
  parseChipName,
} from './chips/chips.js';
// Configuration
export { defineConfig } from './config/define-config.js';
export { type LoadedConfig, loadConfig } from './config/load-config.js';
export {
  type CliOptionValues,
  describeResolved,
  type ResolvedOptions,
  resolveOptions,
} from './config/resolve-options.js';
export type { EspflashConfig } from './config/schema.js';
export type { SecurityInfo } from './core/chip-detect.js';
export { type Clock, realClock } from './core/clock.js';
export { type ConnectedLoader, type ConnectOptions, connect } from './core/connect.js';
export type { CommandRequest, CommandResponse, Loader } from './core/loader.js';
export { type HashFn, md5, md5Hex } from './core/md5.js';
export { createMemoryTransportPair } from './core/memory-transport.js';
export { OP, OPCODES, timeoutFor } from './core/opcodes.js';
export { resetAfter } from './core/ops/after-reset.js';
export { eraseFlash, eraseRegion } from './core/ops/erase.js';
export { decodeFlashId, type FlashId, readFlashId } from './core/ops/flash-id.js';
export { flashMd5 } from './core/ops/md5-region.js';
export { readFlash } from './core/ops/read-flash.js';
export { readMac } from './core/ops/read-mac.js';
export { FLASH_FAILURE_HINT, isLinkLost } from './core/ops/write-failure.js';
// The write engine (resilient: resume, reconnect, MD5 verify)
export {
  type ReconnectRequest,
  type ResilienceOptions,
  type WriteRegionOptions,
  type WriteRegionResult,
  writeRegion,
} from './core/ops/write-region.js';
export {
  classicReset,
  formatResetSequence,
  hardReset,
  parseResetSequence,
  type ResetStep,
  runResetSequence,
  unixTightReset,
  usbJtagSerialReset,
} from './core/reset-sequences.js';
export type { StubImage, StubProvider } from './core/stub-loader.js';
// Device side: transports, connection, operations
export type { ModemSignals, Transport, TransportCapabilities } from './core/transport.js';
export { EspflashError, type EspflashErrorOptions, isEspflashError, UsageError } from './errors.js';
export type { FlashEvent, FlashEventSink } from './events.js';
export { ignoreEvents } from './events.js';
export {
  type ExampleBuild,
  type ExampleBuildOptions,
  generateExampleBuild,
} from './example/example-build.js';
// Fast reflash
export { type CachedRegion, type DeviceCache, openDeviceCache } from './flash/device-cache.js';
export { fastReflashRegion } from './flash/fast-reflash.js';
export {
  DEFAULT_FLASH_TIME_LIMIT_MS,
  type FlashPlanOptions,
  type FlashSummary,
  flashPlan,
  plannedBytes,
  type RegionOutcome,
} from './flash/flash-plan.js';
export { defaultCostModel, diffSectors } from './flash/sector-diff.js';
export {
  describeHeaderFlashParams,
  flashSizeToBytes,
  parseFlashFreq,
  parseFlashMode,
  parseFlashSize,
  patchFlashParams,
} from './image/flash-params.js';
export { buildAppDescriptor, buildBootloaderDescriptor, buildImage } from './image/image-builder.js';
// Images
export { assertImageValid, parseImage, verifyImage } from './image/image-parse.js';
export type {
  AppDescriptor,
  BootloaderDescriptor,
  EspImage,
  ExtendedHeader,
  ImageProblem,
  ImageSegment,
  ImageSignature,
} from './image/image-types.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { type DecodedLine, formatTimestamp, LineDecoder } from './monitor/line-decoder.js';
export { DEFAULT_MONITOR_BAUD, resolveMonitorBaud } from './monitor/monitor-baud.js';
export { type MonitorOptions, type MonitorSession, startMonitor } from './monitor/monitor-session.js';
export { type BaudMemory, createBaudMemory, espflashCacheDir } from './node/baud-memory.js';
export {
  type OpenTransportOptions,
  openTransport,
  PORT_SPEC_FORMS,
  type PortSpec,
  parsePortSpec,
} from './node/open-transport.js';
export {
  classifyPort,
  type ListPortsOptions,
  listPorts,
  type PortInfo,
  type PortKind,
  type RawPortInfo,
  rankPorts,
} from './node/port-list.js';
export { createStubProvider, esptoolJsStubProvider } from './node/stub-assets.js';
export { decodePartitionTable, encodePartitionTable, looksLikeBinaryTable } from './partition/binary.js';
export { type ParsePartitionCsvOptions, parsePartitionCsv } from './partition/csv-parse.js';
export { partitionTableToCsv } from './partition/csv-write.js';
export { findBootAppPartition, findPartitionByLabel, subtypeName, typeName } from './partition/lookup.js';
export { renderPartitionTable } from './partition/render.js';
// Partition tables
export type {
  ExtraSubtype,
  Partition,
  PartitionFlags,
  PartitionTable,
  SecureBootVersion,
} from './partition/types.js';
export { DEFAULT_TABLE_OFFSET, PartitionType, TABLE_BINARY_LENGTH } from './partition/types.js';
export { type VerifyPartitionTableOptions, verifyPartitionTable } from './partition/verify.js';
export { type DerivePlanOptions, derivePlan, type PlanOverrides } from './plan/derive-plan.js';
export { esptoolArgs, esptoolCommand } from './plan/esptool-command.js';
export { type PlanJson, planToJson } from './plan/plan-json.js';
// Build output and plans
export type { AfterReset, BeforeReset, FlashMode, FlashPlan, PlanRegion, RegionRole } from './plan/types.js';
export { type ValidatePlanOptions, validatePlan } from './plan/validate-plan.js';
export { parseArgFile } from './project/arg-files.js';
export type { BuildOutput } from './project/build-output.js';
export { parseFlasherArgs } from './project/flasher-args.js';
export { locateBuildDir } from './project/locate-build.js';
export { parseProjectDescription } from './project/project-description.js';
export { readBuildOutput } from './project/read-build.js';
export { describeSource, type Source, type Sourced, type SourceKind } from './provenance.js';
export { SimDevice, type SimMode } from './sim/device.js';
export { FAULT_KINDS, formatFaults, parseFaultSpecs } from './sim/fault-spec.js';
export type { SimFaults } from './sim/faults.js';
export { openSimUrl, resetSimRegistry } from './sim/sim-registry.js';
// The virtual ESP32
export {
  createSimDevice,
  createSimTransport,
  parseSimUrl,
  type SimOptions,
  type SimTransport,
} from './sim/sim-transport.js';
export { type SimServer, type SimServerOptions, startSimServer } from './sim/tcp-server.js';
export { VirtualClock } from './sim/virtual-clock.js';
// Watch mode
export { type WatchController, watchAndFlash } from './watch/watch-controller.js';
export { outputWatchSpec, sourceWatchSpec } from './watch/watch-paths.js';
export { type WatchAndFlashOptions, type WatchEvent, watchEventToJson } from './watch/watch-types.js';
