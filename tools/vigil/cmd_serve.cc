// vigil serve: the streaming service (MQTT in, alarms out, SQLite store, HTTP API).
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "serve/service.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct ServeArgs {
  std::string config, source, line, worker;
  double rate = 0;
  bool quiet = false;
};

int RunServe(const ServeArgs& a) {
  Result<serve::ServeConfig> config = serve::LoadServeConfig(a.config);
  if (!config.ok()) return Fail(config.status());
  if (!a.worker.empty()) {
    Status w = serve::ParseWorker(a.worker, &config->service.worker_index, &config->service.worker_count);
    if (!w.ok()) return Fail(w.WithPrefix("--worker: "));
  }
  serve::ServeOptions options;
  options.source = a.source;
  options.source_line = a.line;
  options.rate = a.rate;
  options.print_alarms = !a.quiet;

  // SIGINT/SIGTERM are taken by one thread that asks the service to finish cleanly; every other
  // thread (MQTT, HTTP, scoring) inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<serve::Service>> service = serve::Service::Create(*config, options);
  if (!service.ok()) return Fail(service.status());
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGINT || sig == SIGTERM) (*service)->Shutdown();
  });
  Status s = (*service)->Run();
  // Wake the waiter if Run ended by itself (source exhausted, or an error).
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, Action* run) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the streaming service: MQTT readings in, alarms out, SQLite store, HTTP API");
  cmd->add_option("--config", a->config, "Service configuration (TOML; see docs/serve.md)")->required();
  cmd->add_option("--source", a->source, "Replay this CSV ('-' = stdin) instead of subscribing to the broker");
  cmd->add_option("--line", a->line, "With --source: the line it feeds (default: the first)");
  cmd->add_option("--rate", a->rate, "With --source: readings per second (0 = as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--worker", a->worker, "This worker's share of the lines, K/N (overrides service.worker)");
  cmd->add_flag("--quiet", a->quiet, "Do not print alarms on stdout");
  cmd->callback([a, run] { *run = [a] { return RunServe(*a); }; });
}

}  // namespace vigil::cli
