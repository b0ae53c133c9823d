#include "vhsm/api/admin.h"

#include <string.h>

#include "vhsm/api/channel.h"
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
                      std::string_view password) {
  proto::Request r;
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

}  // namespace vhsm
