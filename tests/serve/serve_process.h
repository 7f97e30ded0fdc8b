// Test helpers for vigil serve: run the real CLI as a child process, wait until it is ready,
// signal it; turn the shipped SKAB sample into MQTT payloads.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"

namespace vigil::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}


// `vigil serve ...` as a child process.
class ServeProcess {
 public:
  ServeProcess(std::string args, std::string scratch_dir) : args_(std::move(args)), dir_(std::move(scratch_dir)) {}
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }

  void Start() {
    // Fresh file names for every start of every process: a stale "ready" must never be read.
    static int starts = 0;
    ++starts;
    out_ = dir_ + "/serve_out_" + std::to_string(starts);
    err_ = dir_ + "/serve_err_" + std::to_string(starts);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string cmd = "exec " + std::string(VIGIL_CLI_PATH) + " serve " + args_ + " >" + out_ + " 2>" + err_;
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  // Waits for the "ready" line; false if the process ended first or the time ran out.
  bool WaitReady(int seconds = 30) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (err().find("vigil serve: ready") != std::string::npos) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int HttpPort() const {
    const std::string e = err();
    const size_t at = e.find(", http ");
    if (at == std::string::npos) return 0;
    const size_t colon = e.find(':', at + 7);
    return std::atoi(e.c_str() + colon + 1);
  }
  void Signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Waits for the process to end; its exit code (-1 when killed by a signal).
  int Wait() {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  bool running() const { return pid_ > 0; }
  std::string err() const { return ReadFile(err_); }
  std::string out() const { return ReadFile(out_); }

 private:
  std::string args_, dir_, out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// The rows of a SKAB-format CSV (';'-separated, header first) as JSON readings
// {"ts": "<datetime>", "<channel>": value, ...}, without the label columns.
inline std::vector<std::string> SkabJsonPayloads(const std::string& csv_path) {
  std::ifstream in(csv_path);
  std::string header;
  std::getline(in, header);
  if (!header.empty() && header.back() == '\r') header.pop_back();
  auto split = [](const std::string& s) {
    std::vector<std::string> cells;
    std::stringstream ss(s);
    for (std::string c; std::getline(ss, c, ';');) cells.push_back(c);
    return cells;
  };
  const std::vector<std::string> names = split(header);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::vector<std::string> cells = split(line);
    std::string json = "{\"ts\": \"" + cells.at(0) + "\"";
    for (size_t i = 1; i < cells.size() && i < names.size(); ++i) {
      if (names[i] == "anomaly" || names[i] == "changepoint") continue;
      json += ", \"" + names[i] + "\": " + cells[i];
    }
    out.push_back(json + "}");
  }
  return out;
}

// A scratch directory per test, removed afterwards.
inline std::string TestDir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + "_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace vigil::testing
