#include "vhsm/storage/internal/pg_util.h"

#include <cstdlib>
#include <cstring>

namespace vhsm::storage::internal {
namespace {

void Quiet(void*, const char*) {}  // NOTICEs are not vhsmd's to print

std::string Trimmed(const char* s) {
  std::string m = s ? s : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Setup: what every connection of the store needs, after each (re)connect.
Status Setup(PGconn* c) {
  PQsetNoticeProcessor(c, &Quiet, nullptr);
  PGresult* r = PQexec(c,
                       "SET bytea_output = 'hex'; SET client_encoding = 'UTF8';"
                       " SET synchronous_commit = on");
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string m = Trimmed(PQerrorMessage(c));
  PQclear(r);
  if (!ok) return Unavailable("the database: " + m);
  return Status::Ok();
}

}  // namespace

Params& Params::Add(const std::string& text) {
  owned_.push_back(text);
  values_.push_back(owned_.back().c_str());
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(int64_t n) { return Add(std::to_string(n)); }

Params& Params::Add(const Blob& bytes) {
  owned_.emplace_back(bytes.begin(), bytes.end());
  values_.push_back(owned_.back().data());
  lengths_.push_back(static_cast<int>(bytes.size()));
  formats_.push_back(1);
  return *this;
}

int64_t Rows::changed() const { return std::strtoll(PQcmdTuples(r_.get()), nullptr, 10); }

int64_t Rows::Int(int row, int col) const {
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

Blob Rows::Bytes(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  size_t n = static_cast<size_t>(PQgetlength(r_.get(), row, col));
  Blob out;
  if (n < 2 || v[0] != '\\' || v[1] != 'x') return out;  // hex output, set by Setup
  out.reserve((n - 2) / 2);
  for (size_t i = 2; i + 1 < n; i += 2) {
    out.push_back(static_cast<uint8_t>(Hex(v[i]) << 4 | Hex(v[i + 1])));
  }
  return out;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& conninfo) {
  // A connect timeout unless the connection string sets one (later wins).
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"3", conninfo.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (c == nullptr) return Unavailable("cannot connect to the database: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = Trimmed(PQerrorMessage(c));
    PQfinish(c);
    return Unavailable("cannot connect to the database: " + m);
  }
  std::unique_ptr<Conn> conn(new Conn(c));
  VHSM_RETURN_IF_ERROR(Setup(c));
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

Status Conn::Usable() {
  if (PQstatus(c_) == CONNECTION_OK) return Status::Ok();
  prepared_.clear();  // they went with the old connection
  PQreset(c_);
  if (PQstatus(c_) != CONNECTION_OK) {
    return Unavailable("the database is unavailable: " + Trimmed(PQerrorMessage(c_)));
  }
  return Setup(c_);
}

Status Conn::Fail(PGresult* r, const std::string& what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string m = Trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
  if (m.empty()) m = Trimmed(PQerrorMessage(c_));
  if (r) PQclear(r);
  if (code == "23505") return AlreadyExists(what + " already exists");
  if (code == "23503") return NotFound(what + ": its container or user does not exist");
  if (code == "40001" || code == "40P01")
    return Unavailable(what + ": a concurrent change; try again");
  if (PQstatus(c_) != CONNECTION_OK || code.empty() || code.rfind("08", 0) == 0 ||
      code.rfind("57P", 0) == 0) {
    return Unavailable("the database is unavailable (" + what + "): " + m);
  }
  return Internal("database error (" + what + "): " + m);
}

Result<Rows> Conn::Run(const std::string& sql, const Params& params, const std::string& what) {
  VHSM_RETURN_IF_ERROR(Usable());
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    PGresult* p = PQprepare(c_, name.c_str(), sql.c_str(), params.size(), nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) return Fail(p, what);
    PQclear(p);
    it = prepared_.emplace(sql, name).first;
  }
  PGresult* r = PQexecPrepared(c_, it->second.c_str(), params.size(), params.values(),
                               params.lengths(), params.formats(), /*text results*/ 0);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(r, what);
  return Rows(r);
}

Status Conn::Exec(const std::string& sql, const std::string& what) {
  VHSM_RETURN_IF_ERROR(Usable());
  PGresult* r = PQexec(c_, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(r, what);
  PQclear(r);
  return Status::Ok();
}

Status Conn::CopyIn(const std::string& sql, const std::string& rows, const std::string& what) {
  VHSM_RETURN_IF_ERROR(Usable());
  PGresult* r = PQexec(c_, sql.c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) return Fail(r, what);
  PQclear(r);
  bool sent = PQputCopyData(c_, rows.data(), static_cast<int>(rows.size())) == 1 &&
              PQputCopyEnd(c_, nullptr) == 1;
  r = PQgetResult(c_);
  Status s = PQresultStatus(r) == PGRES_COMMAND_OK && sent ? Status::Ok() : Fail(r, what);
  if (s.ok()) PQclear(r);
  while ((r = PQgetResult(c_)) != nullptr) PQclear(r);  // the end of the command
  return s;
}

void CopyText(std::string& out, const std::string& value) {
  for (char ch : value) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
}

void CopyBytes(std::string& out, const Blob& value) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\\\x";  // COPY's escape of bytea's own "\x"
  for (uint8_t b : value) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

PgTransaction::PgTransaction(Conn* conn) : conn_(conn) {
  status_ = conn_->Exec("BEGIN", "a transaction");
  done_ = !status_.ok();
}

PgTransaction::~PgTransaction() {
  if (!done_) (void)conn_->Exec("ROLLBACK", "a rollback");
}

Status PgTransaction::Commit() {
  done_ = true;
  return conn_->Exec("COMMIT", "a commit");
}

}  // namespace vhsm::storage::internal
