#include "proto/curve.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace passrl::wire {
namespace {

constexpr size_t kZ85KeyLength = 40;

bool ValidZ85Key(const std::string& key) {
  if (key.size() != kZ85KeyLength) return false;
  uint8_t raw[32];
  return zmq_z85_decode(raw, key.c_str()) != nullptr;
}

absl::Status WriteKey(const std::string& path, const CurveKeyPair& keys, bool secret) {
  if (std::filesystem::exists(path)) {
    return absl::AlreadyExistsError(absl::StrCat(path, ": exists; not overwriting a key"));
  }
  std::ofstream out(path);
  out << "# passrl CurveZMQ " << (secret ? "secret key: keep it private (mode 0600)" : "public key")
      << "\npublic = " << keys.public_key << "\n";
  if (secret) out << "secret = " << keys.secret_key << "\n";
  out.close();
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write"));
  if (secret) chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair() {
  if (!zmq_has("curve")) {
    return absl::UnimplementedError("this libzmq was built without CURVE support");
  }
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) {
    return absl::InternalError(absl::StrCat("zmq_curve_keypair: ", zmq_strerror(zmq_errno())));
  }
  return CurveKeyPair{pub, sec};
}

absl::Status GenerateKeyDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat(dir, ": ", ec.message()));
  chmod(dir.c_str(), 0700);
  auto learner = GenerateCurveKeyPair();
  if (!learner.ok()) return learner.status();
  absl::Status s = WriteKey(dir + "/learner.key", *learner, true);
  if (!s.ok()) return s;
  s = WriteKey(dir + "/learner.pub", *learner, false);
  if (!s.ok()) return s;
  return AddActorKey(dir, "actor");
}

absl::Status AddActorKey(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("bad key name '", name, "'"));
  }
  auto actor = GenerateCurveKeyPair();
  if (!actor.ok()) return actor.status();
  absl::Status s = WriteKey(absl::StrCat(dir, "/", name, ".key"), *actor, true);
  if (!s.ok()) return s;
  std::ofstream auth(dir + "/authorized_keys", std::ios::app);
  auth << actor->public_key << "  " << name << "\n";
  if (!auth)
    return absl::PermissionDeniedError(absl::StrCat(dir, "/authorized_keys: cannot write"));
  return absl::OkStatus();
}

absl::StatusOr<CurveKeyPair> ReadKeyFile(const std::string& path, bool need_secret) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": no such key file (passrl keys generate)"));
  }
  if (need_secret && (st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrFormat("%s: permissions %04o are too open for a secret key; chmod 600 it", path,
                        st.st_mode & 0777));
  }
  std::ifstream in(path);
  CurveKeyPair keys;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view l(line);
    if (absl::ConsumePrefix(&l, "public = ")) keys.public_key = std::string(l);
    if (absl::ConsumePrefix(&l, "secret = ")) keys.secret_key = std::string(l);
  }
  if (!ValidZ85Key(keys.public_key) || (need_secret && !ValidZ85Key(keys.secret_key))) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a passrl key file (needs 'public = ' and ",
                     need_secret ? "'secret = ' " : "", "lines with 40-character Z85 keys)"));
  }
  return keys;
}

absl::StatusOr<std::set<std::string>> ReadAuthorizedKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::set<std::string> keys;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string key;
    if (!(words >> key) || key[0] == '#') continue;
    if (!ValidZ85Key(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": not a 40-character Z85 public key"));
    }
    keys.insert(key);
  }
  return keys;
}

absl::StatusOr<CurveServerKeys> LoadServerKeys(const std::string& dir) {
  CurveServerKeys keys;
  auto server = ReadKeyFile(dir + "/learner.key", true);
  if (!server.ok()) return server.status();
  keys.server = *server;
  auto authorized = ReadAuthorizedKeys(dir + "/authorized_keys");
  if (!authorized.ok()) return authorized.status();
  keys.authorized = *std::move(authorized);
  return keys;
}

absl::StatusOr<CurveClientKeys> LoadClientKeys(const std::string& dir,
                                               const std::string& key_file) {
  auto server = ReadKeyFile(dir + "/learner.pub", false);
  if (!server.ok()) return server.status();
  auto client = ReadKeyFile(dir + "/" + key_file, true);
  if (!client.ok()) return client.status();
  return CurveClientKeys{server->public_key, *client};
}

void MakeCurveServer(zmq::socket_t& socket, const CurveServerKeys& keys) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, keys.server.secret_key);
  socket.set(zmq::sockopt::zap_domain, "passrl");
}

void MakeCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys) {
  socket.set(zmq::sockopt::curve_serverkey, keys.server_public);
  socket.set(zmq::sockopt::curve_publickey, keys.client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, keys.client.secret_key);
}

ZapAuthenticator::ZapAuthenticator(zmq::context_t* context, std::set<std::string> authorized)
    : socket_(*context, zmq::socket_type::rep), authorized_(std::move(authorized)) {}

absl::StatusOr<std::unique_ptr<ZapAuthenticator>> ZapAuthenticator::Start(
    zmq::context_t* context, std::set<std::string> authorized_z85) {
  std::unique_ptr<ZapAuthenticator> zap(new ZapAuthenticator(context, std::move(authorized_z85)));
  try {
    zap->socket_.set(zmq::sockopt::rcvtimeo, 100);
    zap->socket_.set(zmq::sockopt::linger, 0);
    zap->socket_.bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    return absl::InternalError(absl::StrCat("cannot start the ZAP handler: ", e.what()));
  }
  zap->thread_ = std::thread([z = zap.get()] { z->Loop(); });
  return zap;
}

ZapAuthenticator::~ZapAuthenticator() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::Loop() {
  // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
  while (!stop_) {
    std::vector<zmq::message_t> request;
    try {
      zmq::message_t frame;
      if (!socket_.recv(frame)) continue;
      request.push_back(std::move(frame));
      while (request.back().more()) {
        zmq::message_t next;
        if (!socket_.recv(next)) break;
        request.push_back(std::move(next));
      }
    } catch (const zmq::error_t&) {
      continue;
    }
    std::string status = "400", text = "not authorized";
    if (request.size() >= 7 && request[0].to_string() == "1.0" &&
        request[5].to_string() == "CURVE" && request[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, static_cast<const uint8_t*>(request[6].data()), 32);
      if (authorized_.count(z85)) {
        status = "200";
        text = "OK";
      }
    }
    (status == "200" ? allowed_ : denied_)++;
    const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
    try {
      socket_.send(zmq::buffer(std::string("1.0")), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(status), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(text), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);  // user id
      socket_.send(zmq::buffer(std::string()), zmq::send_flags::none);     // metadata
    } catch (const zmq::error_t&) {
    }
  }
}

}  // namespace passrl::wire
