// Authentication and encryption of the learner's sockets with CurveZMQ. `passrl keys generate`
// writes a key directory: learner.key (secret) + learner.pub, actor.key (secret), and
// authorized_keys (the actor public keys the learner accepts, one per line). With security on,
// the learner's PULL and PUB sockets are CURVE servers and a ZAP handler admits only authorized
// client keys: anyone else cannot complete the handshake, so their messages never reach the
// learner and they receive no weights. Secret key files must not be readable by group or others.
//
// Thread-safety: key functions are pure; ZapAuthenticator runs its own thread and its counters
// are atomics.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "zmq.hpp"

namespace passrl::wire {

struct CurveKeyPair {
  std::string public_key, secret_key;  // Z85 text, 40 characters each
};

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair();
// Writes learner.key, learner.pub, actor.key and authorized_keys into `dir` (created; existing
// keys are not overwritten: AlreadyExists).
absl::Status GenerateKeyDirectory(const std::string& dir);
// Adds <name>.key and appends its public key to authorized_keys.
absl::Status AddActorKey(const std::string& dir, const std::string& name);

// A key file: "public = <z85>" and, for secret files, "secret = <z85>" lines.
absl::StatusOr<CurveKeyPair> ReadKeyFile(const std::string& path, bool need_secret);
absl::StatusOr<std::set<std::string>> ReadAuthorizedKeys(const std::string& path);

struct CurveServerKeys {
  CurveKeyPair server;
  std::set<std::string> authorized;
};
struct CurveClientKeys {
  std::string server_public;
  CurveKeyPair client;
};
absl::StatusOr<CurveServerKeys> LoadServerKeys(const std::string& dir);
absl::StatusOr<CurveClientKeys> LoadClientKeys(const std::string& dir,
                                               const std::string& key_file = "actor.key");
// Socket options; call before bind/connect.
void MakeCurveServer(zmq::socket_t& socket, const CurveServerKeys& keys);
void MakeCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys);

// The context's ZAP handler (inproc://zeromq.zap.01): admits CURVE clients whose public key is
// authorized and refuses everything else. Start it before binding the server sockets.
class ZapAuthenticator {
 public:
  static absl::StatusOr<std::unique_ptr<ZapAuthenticator>> Start(
      zmq::context_t* context, std::set<std::string> authorized_z85);
  ~ZapAuthenticator();
  uint64_t allowed() const { return allowed_; }
  uint64_t denied() const { return denied_; }

 private:
  ZapAuthenticator(zmq::context_t* context, std::set<std::string> authorized);
  void Loop();
  zmq::socket_t socket_;
  std::set<std::string> authorized_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> allowed_{0}, denied_{0};
  std::thread thread_;
};

}  // namespace passrl::wire
