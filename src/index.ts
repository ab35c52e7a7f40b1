// espflash's public programmatic API: the product (open a device, flash a project, plans, partition
// tables, images, events, errors, the virtual ESP32's server). Protocol internals and building blocks
// for custom flows live behind the `espflash/core` subpath (src/core-api.ts).

// Devices and the whole flash job
export { type BoardInfo, Device, type WriteBinOptions } from './api/device.js';
export {
  type BoardEvent,
  type BoardResult,
  type FlashManyOptions,
  type FlashManyResult,
  flashMany,
} from './api/flash-many.js';
export { type FlashProjectOptions, type FlashProjectResult, flashProject } from './api/flash-project.js';
export { DEFAULT_FLASH_BAUD, type OpenDeviceOptions, openDevice } from './api/open-device.js';
export { type LoadedPartitionTable, loadPartitionTable, partitionByLabel } from './api/partitions.js';
export type { ReconnectPolicy } from './api/reconnect.js';
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
export type { Clock } from './core/session/clock.js';
export type { ModemSignals, Transport, TransportCapabilities } from './core/session/transport.js';
// Errors: the code table (codes, exit statuses, retry kinds) and the error classes
export * from './error-codes.js';
export {
  EspflashError,
  type EspflashErrorOptions,
  exitStatus,
  isEspflashError,
  UsageError,
} from './errors.js';
// Events and logging
export type { FlashEvent, FlashEventSink } from './events.js';
export { ignoreEvents } from './events.js';
export {
  type ExampleBuild,
  type ExampleBuildOptions,
  generateExampleBuild,
} from './example/example-build.js';
export {
  type FlashSummary,
  type RegionOutcome,
  type WritePlanOptions,
  writePlan,
} from './flash/write-plan.js';
export { patchFlashParams } from './image/flash-params.js';
export { buildImage } from './image/image-builder.js';
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
export { DEFAULT_MONITOR_BAUD } from './monitor/monitor-baud.js';
export { type MonitorOptions, type MonitorSession, startMonitor } from './monitor/monitor-session.js';
export type { BaudMemory } from './node/baud-memory.js';
// Ports
export {
  type OpenTransportOptions,
  openTransport,
  PORT_SPEC_FORMS,
  type PortSpec,
  parsePortSpec,
} from './node/open-transport.js';
export { type ListPortsOptions, listPorts, type PortInfo, type PortKind } from './node/port-list.js';
export { decodePartitionTable, encodePartitionTable } from './partition/binary.js';
export { type ParsePartitionCsvOptions, parsePartitionCsv } from './partition/csv-parse.js';
export { partitionTableToCsv } from './partition/csv-write.js';
export { findBootAppPartition, findPartitionByLabel } from './partition/lookup.js';
export { renderPartitionTable } from './partition/render.js';
// Partition tables
export type {
  ExtraSubtype,
  Partition,
  PartitionFlags,
  PartitionTable,
  SecureBootVersion,
} from './partition/types.js';
export { DEFAULT_TABLE_OFFSET, PartitionType } from './partition/types.js';
export { type VerifyPartitionTableOptions, verifyPartitionTable } from './partition/verify.js';
// Build output and plans
export { type DerivePlanOptions, derivePlan, type PlanOverrides } from './plan/derive-plan.js';
export { esptoolArgs, esptoolCommand } from './plan/esptool-command.js';
export { type PlanJson, planToJson } from './plan/plan-json.js';
export type { AfterReset, BeforeReset, FlashMode, FlashPlan, PlanRegion, RegionRole } from './plan/types.js';
export { type ValidatePlanOptions, validatePlan } from './plan/validate-plan.js';
export type { BuildOutput } from './project/build-output.js';
export { locateBuildDir } from './project/locate-build.js';
export { readBuildOutput } from './project/read-build.js';
export { describeSource, type Source, type Sourced, type SourceKind } from './provenance.js';
// The virtual ESP32
export { createSimTransport, type SimOptions, type SimTransport } from './sim/sim-transport.js';
export { type SimServer, type SimServerOptions, startSimServer } from './sim/tcp-server.js';
export { type RunTaskOptions, type RunTaskResult, runTask } from './tasks/run-task.js';
export { type RunTaskManyOptions, runTaskMany } from './tasks/run-task-many.js';
export type { Step, TaskDefinition, TaskStep, TasksConfig } from './tasks/task-types.js';
export { expandTask } from './tasks/validate-tasks.js';
// Watch mode
export { type WatchController, watchAndFlash } from './watch/watch-controller.js';
export { type WatchAndFlashOptions, type WatchEvent, watchEventToJson } from './watch/watch-types.js';
