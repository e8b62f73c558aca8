import Testing

/// The suites that stop, restart or flood a PostgreSQL cluster of their own, run one test at a
/// time.
///
/// Each of them drives thousands of requests through real processes; beside one another and the
/// rest of the suite on a two-core machine they ran ten times slower than alone and came near
/// their time limits. Run in turn they still overlap the lighter suites.
@Suite(.serialized) enum ClusterFaultTests {}
