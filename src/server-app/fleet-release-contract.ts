import { readRuntimeFile } from '../runtime-program';

/**
 * What the constructs and the fleet release program (runtime/fleet-release.js) agree on, read
 * from the one file both read: runtime/fleet-release-contract.json.
 */
interface FleetReleaseContract {
  /** The two fleets of a blue/green target, the one the listener's default action forwards to first. */
  readonly fleets: readonly ['blue', 'green'];
  /** The priority of the live rule, which forwards every path to both fleets with weights: the last one, after the user's rules. */
  readonly liveRulePriority: number;
  /** The priority of a release's check rule (its secret header to the idle fleet): the first one. */
  readonly checkRulePriority: number;
  /** The request header carrying a release's secret during its check. */
  readonly checkHeader: string;
  /** The name of the scheduled action that scales a fleet in after the rollback window. */
  readonly scaleInActionName: string;
  /** How the deployments the release makes are described in CodeDeploy. */
  readonly deploymentDescriptionPrefix: string;
  /** The program's commands. */
  readonly steps: readonly string[];
  /** Environment variables the program reads (set by the projects, the pipeline actions or `start-build` overrides). */
  readonly environment: {
    readonly settings: string;
    readonly step: string;
    readonly trafficPercent: string;
    readonly releaseFleet: string;
    readonly executionId: string;
    readonly rollbackTarget: string;
    readonly rollbackProject: string;
  };
}

/** The contract between the constructs and the fleet release program. */
export const FLEET_RELEASE: FleetReleaseContract = JSON.parse(readRuntimeFile(__dirname, 'fleet-release-contract.json'));

/** Environment variables the fleet release program reads. */
export const FLEET_RELEASE_ENV = FLEET_RELEASE.environment;

/** A fleet of a blue/green target. */
export type FleetName = FleetReleaseContract['fleets'][number];
