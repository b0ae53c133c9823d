#include "vhsm/api/admin.h"

#include <string.h>

#include <ctime>

#include "vhsm/api/channel.h"
#include "vhsm/api/container_file.h"
#include "vhsm/api/internal/audit_calls.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
}

}  // namespace

struct Admin::Impl {
  std::unique_ptr<Channel> channel;
};

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Status Admin::SetContainerQuota(const std::string& container, uint64_t max_keys) {
  proto::Request r;
  r.mutable_container_quota()->set_name(container);
  r.mutable_container_quota()->set_max_keys(max_keys);
  return impl_->channel->Call(r).status();
}

Result<AuditLogCopy> Admin::ReadAudit(const std::string& container) {
  return internal::ReadAudit([this](proto::Request& r) { return impl_->channel->Call(r); },
                             container);
}

Result<AuditVerdict> Admin::VerifyAudit(const std::string& container) {
  return internal::VerifyAudit([this](proto::Request& r) { return impl_->channel->Call(r); },
                               container);
}

Result<std::unique_ptr<Admin>> Admin::Connect(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  VHSM_ASSIGN_OR_RETURN(impl->channel, Channel::Open(options));
  return std::unique_ptr<Admin>(new Admin(std::move(impl)));
}

Admin::~Admin() { (void)impl_->channel->Close(); }

Status Admin::AttachContainer(const std::string& name, const std::string& netns_path) {
  proto::Request r;
  r.mutable_container_attach()->set_name(name);
  r.mutable_container_attach()->set_netns_path(netns_path);
  return impl_->channel->Call(r).status();
}

Result<std::vector<Admin::AttachFailure>> Admin::AttachContainers(
    const std::vector<std::pair<std::string, std::string>>& containers) {
  constexpr size_t kPerRequest = 250;  // well inside a frame with long paths
  std::vector<AttachFailure> failed;
  for (size_t at = 0; at < containers.size(); at += kPerRequest) {
    proto::Request r;
    auto* many = r.mutable_container_attach_many();
    for (size_t i = at; i < containers.size() && i < at + kPerRequest; ++i) {
      auto* c = many->add_containers();
      c->set_name(containers[i].first);
      c->set_netns_path(containers[i].second);
    }
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->channel->Call(r));
    for (const auto& f : resp.container_attach_many().failed()) {
      failed.push_back({f.name(), f.message()});
    }
  }
  return failed;
}

Status Admin::DetachContainer(const std::string& name) {
  proto::Request r;
  r.mutable_container_detach()->set_name(name);
  return impl_->channel->Call(r).status();
}

Result<std::vector<ContainerInfo>> Admin::ListContainers() {
  std::vector<ContainerInfo> out;
  std::string after;
  do {
    proto::Request r;
    r.mutable_container_list()->set_after(after);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->channel->Call(r));
    const auto& list = resp.container_list();
    for (const auto& c : list.containers()) {
      out.push_back(ContainerInfo{c.name(), c.netns_path(), c.attached()});
    }
    if (!list.next_after().empty() && list.next_after() <= after) {
      return Internal("vhsmd sent a container list page that does not advance");
    }
    after = list.next_after();
  } while (!after.empty());
  return out;
}

Status Admin::AddUser(const std::string& container, const std::string& user,
                      std::string_view password, const std::string& role) {
  proto::Request r;
  r.mutable_user_add()->set_role(role);
  r.mutable_user_add()->set_container(container);
  r.mutable_user_add()->set_user(user);
  r.mutable_user_add()->set_password(password.data(), password.size());
  Status s = impl_->channel->Call(r).status();
  Wipe(r.mutable_user_add()->mutable_password());
  return s;
}

Status Admin::DeleteUser(const std::string& container, const std::string& user) {
  proto::Request r;
  r.mutable_user_delete()->set_container(container);
  r.mutable_user_delete()->set_user(user);
  return impl_->channel->Call(r).status();
}

Result<std::vector<std::string>> Admin::ListUsers(const std::string& container) {
  std::vector<std::string> out;
  std::string after;
  do {
    proto::Request r;
    r.mutable_user_list()->set_container(container);
    r.mutable_user_list()->set_after(after);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->channel->Call(r));
    const auto& list = resp.user_list();
    out.insert(out.end(), list.users().begin(), list.users().end());
    if (!list.next_after().empty() && list.next_after() <= after) {
      return Internal("vhsmd sent a user list page that does not advance");
    }
    after = list.next_after();
  } while (!after.empty());
  return out;
}

Status Admin::ChangePassword(const std::string& container, const std::string& user,
                             std::string_view old_password, std::string_view new_password) {
  proto::Request r;
  auto* p = r.mutable_user_password();
  p->set_container(container);
  p->set_user(user);
  p->set_old_password(old_password.data(), old_password.size());
  p->set_new_password(new_password.data(), new_password.size());
  Status s = impl_->channel->Call(r).status();
  Wipe(p->mutable_old_password());
  Wipe(p->mutable_new_password());
  return s;
}

Result<std::string> Admin::ExportContainer(const std::string& name, std::string_view passphrase) {
  ContainerFile file;
  file.container = name;
  file.created_unix = static_cast<int64_t>(std::time(nullptr));
  std::string cursor;
  do {
    proto::Request r;
    r.mutable_container_export()->set_name(name);
    r.mutable_container_export()->set_cursor(cursor);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->channel->Call(r));
    const auto& page = resp.container_export();
    for (const auto& rec : page.records()) file.records.push_back(rec.SerializeAsString());
    if (!page.next_cursor().empty() && page.next_cursor() == cursor) {
      return Internal("vhsmd sent an export page that does not advance");
    }
    cursor = page.next_cursor();
  } while (!cursor.empty());
  return EncodeContainerFile(file, passphrase);
}

Result<ImportCounts> Admin::ImportContainer(const std::string& name, std::string_view data,
                                            std::string_view passphrase) {
  VHSM_ASSIGN_OR_RETURN(ContainerFile file, DecodeContainerFile(data, passphrase));
  if (file.container != name) {
    return InvalidArgument("the file holds container '" + file.container +
                           "': its keys are bound to that name, so it imports only as '" +
                           file.container + "'");
  }
  constexpr size_t kBatchBytes = 32 * 1024;
  size_t next = 0;
  while (true) {
    proto::Request r;
    auto* imp = r.mutable_container_import();
    imp->set_name(name);
    size_t bytes = 0;
    while (next < file.records.size() &&
           (bytes == 0 || bytes + file.records[next].size() < kBatchBytes)) {
      if (!imp->add_records()->ParseFromString(file.records[next])) {
        return DataLoss("the export file holds a malformed record");
      }
      bytes += file.records[next].size();
      ++next;
    }
    imp->set_commit(next == file.records.size());
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->channel->Call(r));
    if (imp->commit()) {
      const auto& done = resp.container_import();
      return ImportCounts{done.users(), done.keys(), done.objects()};
    }
  }
}

}  // namespace vhsm
