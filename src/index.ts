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
