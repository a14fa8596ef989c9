/**
 * The reference data of a test floor (test/support/floor-fixtures.ts): a saw-mill-lathe-inspect
 * shop with three routings. Limits have the precisions the readable-value tests read (three
 * decimals, two, none), one step of the manifold is parallel, some checks are measured and some
 * are not. Kept here, not taken from the demo seeder, so that editing the demo breaks no test.
 */

export type CenterKey = 'SAW' | 'MILL' | 'LATHE' | 'DEBURR' | 'INSPECT' | 'PACK';

export const FLOOR_CENTERS: ReadonlyArray<{ key: CenterKey; name: string; description: string }> = [
  { key: 'SAW', name: 'Saw cell', description: 'Band saw' },
  { key: 'MILL', name: 'CNC milling', description: '3-axis and 5-axis machining centers' },
  { key: 'LATHE', name: 'CNC turning', description: 'Lathe with bar feeder' },
  { key: 'DEBURR', name: 'Deburr bench', description: 'Hand deburr and edge break' },
  { key: 'INSPECT', name: 'Quality lab', description: 'CMM, surface tester, gauges' },
  { key: 'PACK', name: 'Shipping', description: 'Packing, labels and certificates' },
];

export interface FloorCheck {
  description: string;
  unit?: string;
  lower?: number;
  upper?: number;
}

export interface FloorRoutingStep {
  step: number;
  center: CenterKey;
  operation: string;
  hours: number;
  instructions?: string;
  parallel?: boolean;
  checks?: FloorCheck[];
}

/** The manifold's routing (revisions B and C; revision A lacks step 40). Step 40 runs alongside step 30. */
export const MANIFOLD_ROUTING: readonly FloorRoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 6061-T6 bar to 4.25 in blanks', hours: 0.2, instructions: 'Check heat number against the cert before cutting.' },
  {
    step: 20,
    center: 'MILL',
    operation: 'Mill op 1: square block, drill main bore',
    hours: 1.5,
    instructions: 'Fixture F-1. Program O1042.',
    checks: [
      { description: 'Main bore diameter', unit: 'mm', lower: 12.0, upper: 12.018 },
      { description: 'Block height', unit: 'mm', lower: 63.45, upper: 63.55 },
    ],
  },
  {
    step: 30,
    center: 'MILL',
    operation: 'Mill op 2: cross-drill and tap ports',
    hours: 1.25,
    instructions: 'Fixture F-2. Program O1043. Tap SAE-6 ports.',
    checks: [{ description: 'Port threads pass go/no-go gauge' }],
  },
  { step: 40, center: 'DEBURR', operation: 'Deburr all edges and cross-holes', hours: 0.5, parallel: true },
  {
    step: 50,
    center: 'INSPECT',
    operation: 'Final inspection on CMM',
    hours: 0.75,
    checks: [
      { description: 'Main bore position to datum A', unit: 'mm', lower: 0, upper: 0.05 },
      { description: 'Surface finish Ra', unit: 'µm', lower: 0, upper: 1.6 },
      { description: 'Visual: no burrs, no tool marks on sealing faces' },
    ],
  },
  { step: 60, center: 'PACK', operation: 'Bag, label and pack', hours: 0.1 },
];

export const BRACKET_ROUTING: readonly FloorRoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 7075-T7351 plate', hours: 0.3 },
  {
    step: 20,
    center: 'MILL',
    operation: '5-axis mill complete',
    hours: 3.5,
    instructions: 'First article to quality before running the lot.',
    checks: [{ description: 'Lug hole diameter', unit: 'mm', lower: 19.05, upper: 19.076 }],
  },
  { step: 30, center: 'DEBURR', operation: 'Deburr and break edges 0.2-0.5 mm', hours: 0.6 },
  {
    step: 40,
    center: 'INSPECT',
    operation: 'First article and lot inspection',
    hours: 1.0,
    checks: [
      { description: 'Lug hole true position', unit: 'mm', lower: 0, upper: 0.1 },
      { description: 'Wall thickness at section B-B', unit: 'mm', lower: 2.9, upper: 3.1 },
    ],
  },
  { step: 50, center: 'PACK', operation: 'Wrap, label, attach certs', hours: 0.2 },
];

export const SHAFT_ROUTING: readonly FloorRoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 17-4PH bar', hours: 0.2 },
  {
    step: 20,
    center: 'LATHE',
    operation: 'Turn OD, face, chamfer',
    hours: 0.9,
    checks: [{ description: 'Bearing journal diameter', unit: 'mm', lower: 24.987, upper: 25.0 }],
  },
  { step: 30, center: 'MILL', operation: 'Mill keyway', hours: 0.4, checks: [{ description: 'Keyway width', unit: 'mm', lower: 6.0, upper: 6.03 }] },
  { step: 40, center: 'INSPECT', operation: 'Final inspection', hours: 0.3, checks: [{ description: 'Runout TIR', unit: 'mm', lower: 0, upper: 0.02 }] },
  { step: 50, center: 'PACK', operation: 'Oil, bag and pack', hours: 0.1 },
];

/** What the running traveler's operator found, added as a manual step while it was a draft. */
export const RUNNING_MANUAL_STEP = {
  afterStepNumber: 40,
  center: 'DEBURR' as CenterKey,
  operation: 'Extra deburr of cross-drilled port intersections',
  reason: 'Burrs found at port intersections during first-article inspection.',
  hours: 0.25,
};

/** The completed traveler's one measurement outside its limits, and quality's decision on it. */
export const COMPLETED_DEVIATION = {
  stepNumber: 50,
  sequence: 2,
  value: 1.7,
  disposition: 'use_as_is' as const,
  note: 'Customer deviation CD-0412 accepts Ra up to 1.8 µm on non-sealing faces.',
};
