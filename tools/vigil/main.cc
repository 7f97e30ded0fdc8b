// vigil — unsupervised anomaly detection for assembly lines. Thin CLI over the library.
#include <iostream>

#include "vigil/cli_common.h"

int main(int argc, char** argv) {
  using namespace vigil::cli;
  CLI::App app{"vigil: learn normal from normal sensor data, flag what departs from it"};
  app.set_version_flag("--version", std::string("vigil ") + VIGIL_VERSION);
  app.require_subcommand(1);
  Action run;
  RegisterFit(app, &run);
  RegisterScore(app, &run);
  RegisterEval(app, &run);
  RegisterInspect(app, &run);
  RegisterDemo(app, &run);
  RegisterBench(app, &run);
  RegisterQuantize(app, &run);
  RegisterEvents(app, &run);
  RegisterServe(app, &run);
  RegisterPlan(app, &run);
  RegisterCalibrate(app, &run);
  RegisterExport(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse problem is a usage error (2).
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUserError;
  }
  if (!run) return kExitInternal;
  try {
    return run();
  } catch (const std::bad_alloc&) {
    std::cerr << "vigil: out of memory\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "vigil: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
