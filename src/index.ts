// espflash's public programmatic API. The CLI is one client of exactly these exports.

export { EspflashError, UsageError, isEspflashError, type EspflashErrorOptions } from './errors.js';
export type { FlashEvent, FlashEventSink } from './events.js';
export { ignoreEvents } from './events.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { type Source, type SourceKind, type Sourced, describeSource } from './provenance.js';

// Chips
export {
  CHIPS,
  CHIP_NAMES,
  chipInfo,
  parseChipName,
  chipByImageId,
  type ChipInfo,
  type ChipName,
} from './chips/chips.js';

// Configuration
export { defineConfig } from './config/define-config.js';
export type { EspflashConfig } from './config/schema.js';
export { loadConfig, type LoadedConfig } from './config/load-config.js';
export {
  resolveOptions,
  describeResolved,
  type ResolvedOptions,
  type CliOptionValues,
} from './config/resolve-options.js';

// Partition tables
export type {
  Partition,
  PartitionFlags,
  PartitionTable,
  ExtraSubtype,
  SecureBootVersion,
} from './partition/types.js';
export { PartitionType, DEFAULT_TABLE_OFFSET, TABLE_BINARY_LENGTH } from './partition/types.js';
export { parsePartitionCsv, type ParsePartitionCsvOptions } from './partition/csv-parse.js';
export { encodePartitionTable, decodePartitionTable, looksLikeBinaryTable } from './partition/binary.js';
export { partitionTableToCsv } from './partition/csv-write.js';
export { verifyPartitionTable, type VerifyPartitionTableOptions } from './partition/verify.js';
export { findBootAppPartition, findPartitionByLabel, typeName, subtypeName } from './partition/lookup.js';
export { renderPartitionTable } from './partition/render.js';

// Images
export { parseImage, verifyImage, assertImageValid } from './image/image-parse.js';
export {
  flashSizeToBytes,
  parseFlashMode,
  parseFlashFreq,
  parseFlashSize,
  describeHeaderFlashParams,
  patchFlashParams,
} from './image/flash-params.js';
export { buildImage, buildAppDescriptor, buildBootloaderDescriptor } from './image/image-builder.js';
export type {
  EspImage,
  ExtendedHeader,
  ImageSegment,
  AppDescriptor,
  BootloaderDescriptor,
  ImageProblem,
  ImageSignature,
} from './image/image-types.js';
export { generateExampleBuild, type ExampleBuildOptions, type ExampleBuild } from './example/example-build.js';

// Build output and plans
export type { FlashPlan, PlanRegion, RegionRole, FlashMode, BeforeReset, AfterReset } from './plan/types.js';
export { derivePlan, type PlanOverrides, type DerivePlanOptions } from './plan/derive-plan.js';
export { validatePlan, type ValidatePlanOptions } from './plan/validate-plan.js';
export { planToJson, type PlanJson } from './plan/plan-json.js';
export { esptoolCommand, esptoolArgs } from './plan/esptool-command.js';
export { locateBuildDir } from './project/locate-build.js';
export { readBuildOutput } from './project/read-build.js';
export type { BuildOutput } from './project/build-output.js';
export { parseFlasherArgs } from './project/flasher-args.js';
export { parseArgFile } from './project/arg-files.js';
export { parseProjectDescription } from './project/project-description.js';

// Device side: transports, connection, operations
export type { Transport, ModemSignals, TransportCapabilities } from './core/transport.js';
export { type Clock, realClock } from './core/clock.js';
export type { Loader, CommandRequest, CommandResponse } from './core/loader.js';
export {
  openTransport,
  parsePortSpec,
  PORT_SPEC_FORMS,
  type PortSpec,
  type OpenTransportOptions,
} from './node/open-transport.js';
export {
  listPorts,
  classifyPort,
  rankPorts,
  type PortInfo,
  type PortKind,
  type RawPortInfo,
  type ListPortsOptions,
} from './node/port-list.js';
export { createMemoryTransportPair } from './core/memory-transport.js';
export { connect, type ConnectOptions, type ConnectedLoader } from './core/connect.js';
export {
  parseResetSequence,
  formatResetSequence,
  runResetSequence,
  classicReset,
  unixTightReset,
  usbJtagSerialReset,
  hardReset,
  type ResetStep,
} from './core/reset-sequences.js';
export type { StubImage, StubProvider } from './core/stub-loader.js';
export type { SecurityInfo } from './core/chip-detect.js';
export { OP, OPCODES, timeoutFor } from './core/opcodes.js';
export { esptoolJsStubProvider, createStubProvider } from './node/stub-assets.js';
export { openDevice, type OpenDeviceOptions } from './api/open-device.js';
export { Device, type BoardInfo, type WriteBinOptions } from './api/device.js';
export { flashProject, type FlashProjectOptions, type FlashProjectResult } from './api/flash-project.js';
export { loadPartitionTable, partitionByLabel, type LoadedPartitionTable } from './api/partitions.js';
export {
  flashPlan,
  plannedBytes,
  type FlashPlanOptions,
  type FlashSummary,
  type RegionOutcome,
} from './flash/flash-plan.js';
export { md5, md5Hex, type HashFn } from './core/md5.js';
export { writeRegion, type WriteRegionOptions, type WriteRegionResult } from './core/ops/write-region.js';
export { readFlash } from './core/ops/read-flash.js';
export { eraseFlash, eraseRegion } from './core/ops/erase.js';
export { flashMd5 } from './core/ops/md5-region.js';
export { readFlashId, decodeFlashId, type FlashId } from './core/ops/flash-id.js';
export { resetAfter } from './core/ops/after-reset.js';
export { readMac } from './core/ops/read-mac.js';

// The virtual ESP32
export { createSimTransport, createSimDevice, parseSimUrl, type SimTransport, type SimOptions } from './sim/sim-transport.js';
export { startSimServer, type SimServer, type SimServerOptions } from './sim/tcp-server.js';
export { SimDevice, type SimMode } from './sim/device.js';
export type { SimFaults } from './sim/faults.js';
export { VirtualClock } from './sim/virtual-clock.js';

// Build and monitor
export { findIdfPy, type IdfPyCommand, type FindIdfPyOptions } from './build/find-idf.js';
export { runBuild, type RunBuildOptions, type BuildResult, type BuildStream } from './build/run-build.js';
export { startMonitor, type MonitorOptions, type MonitorSession } from './monitor/monitor-session.js';
export { resolveMonitorBaud, DEFAULT_MONITOR_BAUD } from './monitor/monitor-baud.js';
export { LineDecoder, formatTimestamp, type DecodedLine } from './monitor/line-decoder.js';
