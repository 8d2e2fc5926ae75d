"""The resource types the mesh pane and command read (one list or watch each, never one
request per namespace or per pod)."""

from __future__ import annotations

from k8s_essentials_tui.api import rt

PEER_AUTHENTICATIONS = rt("security.istio.io/v1", "peerauthentications", "PeerAuthentication")
ISTIO_AUTHORIZATION = rt("security.istio.io/v1", "authorizationpolicies",
                         "AuthorizationPolicy")
VIRTUAL_SERVICES = rt("networking.istio.io/v1", "virtualservices", "VirtualService")
DESTINATION_RULES = rt("networking.istio.io/v1", "destinationrules", "DestinationRule")
GATEWAYS = rt("networking.istio.io/v1", "gateways", "Gateway")
LINKERD_SERVERS = rt("policy.linkerd.io/v1beta3", "servers", "Server")
LINKERD_AUTHORIZATION = rt("policy.linkerd.io/v1alpha1", "authorizationpolicies",
                           "AuthorizationPolicy")
MUTATING_WEBHOOKS = rt("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
                       "MutatingWebhookConfiguration", namespaced=False)

#: label selectors of the control-plane Deployments and Istio's revision-tag webhooks
ISTIOD_SELECTOR = "app=istiod"
LINKERD_SELECTOR = "linkerd.io/control-plane-component"
TAG_SELECTOR = "istio.io/tag"

#: Accept header for a Secret's metadata only: the apiserver never sends its data
METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
