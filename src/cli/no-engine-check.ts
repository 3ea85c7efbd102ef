// Imported before @oclif/core, whose import checks that Node satisfies oclif's own engines range,
// loading semver to do it (~7 ms of every start). package.json's engines (>=20, stricter than
// oclif's) is what applies to shipshape.
process.env['OCLIF_DISABLE_ENGINE_WARNING'] ??= '1';
