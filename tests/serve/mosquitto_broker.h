// Test fixture: a real mosquitto broker on a free loopback port, with a generated config,
// stopped (and its files removed) when the object goes away.
//
//   MosquittoBroker broker;
//   ASSERT_TRUE(broker.Start()) << broker.error();   // GTEST_SKIP if mosquitto is not installed
//   ... connect to 127.0.0.1:broker.port() ...
//   broker.Restart();                                // same port, same persisted sessions
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace vigil::testing {

inline const char* FindMosquitto() {
  for (const char* p : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

// A port nobody listens on right now (the kernel picks it).
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

inline bool PortAccepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class MosquittoBroker {
 public:
  struct User {
    std::string name, password;
  };
  explicit MosquittoBroker(std::vector<User> users = {}, bool tls = false) : users_(std::move(users)), tls_(tls) {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil_broker_" + std::to_string(::getpid()) + "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    // Run as root, mosquitto drops to its own user: let it write its log and persistence here.
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
  }
  ~MosquittoBroker() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  bool available() const { return FindMosquitto() != nullptr; }
  // With TLS: the CA certificate clients must trust (the server certificate is for 127.0.0.1).
  std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string log() const {
    std::ifstream in(dir_ / "broker.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  bool Start() {
    if (!available()) return Fail("mosquitto is not installed");
    if (port_ != 0) return StartOn(port_);
    // A free port can be taken by a test running in parallel before mosquitto binds it: retry.
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (StartOn(FreeLoopbackPort())) return true;
      port_ = 0;
    }
    return false;
  }

 private:
  bool StartOn(int port) {
    port_ = port;
    if (tls_ && !MakeCertificates()) return false;
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "persistence true\npersistence_location " << dir_.string() << "/\n"
         << "autosave_interval 1\n"
         << "max_queued_messages 0\nmax_inflight_messages 100\n"
         << "log_dest file " << (dir_ / "broker.log").string() << "\n";
    if (tls_) {
      conf << "cafile " << ca_file() << "\ncertfile " << (dir_ / "server.pem").string() << "\nkeyfile "
           << (dir_ / "server.key").string() << "\n";
    }
    if (users_.empty()) {
      conf << "allow_anonymous true\n";
    } else {
      conf << "allow_anonymous false\npassword_file " << (dir_ / "passwd").string() << "\n";
      for (size_t i = 0; i < users_.size(); ++i) {
        const std::string cmd = std::string("mosquitto_passwd -b ") + (i == 0 ? "-c " : "") + (dir_ / "passwd").string() +
                                " " + users_[i].name + " " + users_[i].password + " > /dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) return Fail("mosquitto_passwd failed");
      }
    }
    conf.close();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(FindMosquitto(), "mosquitto", "-c", (dir_ / "mosquitto.conf").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (PortAccepts(port_)) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Fail("mosquitto exited at start: " + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    return Fail("mosquitto did not listen on port " + std::to_string(port_));
  }


 public:
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Stops and starts again on the same port with the same persisted sessions.
  bool Restart() {
    Stop();
    return Start();
  }

 private:
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  // A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command.
  bool MakeCertificates() {
    if (std::filesystem::exists(dir_ / "server.pem")) return true;
    const std::string d = dir_.string();
    const std::string cmd =
        "cd " + d + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=vigil-test-ca"
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1"
        " && printf 'subjectAltName=IP:127.0.0.1' > san.ext"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
        " -extfile san.ext && chmod 644 server.key";
    if (std::system(("(" + cmd + ") > /dev/null 2>&1").c_str()) != 0) return Fail("openssl could not make test certificates");
    return true;
  }

  std::vector<User> users_;
  bool tls_ = false;
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace vigil::testing
