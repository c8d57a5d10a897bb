import {type GetAccountAuthorizationDetailsCommandOutput, type IAMClient, paginateGetAccountAuthorizationDetails} from '@aws-sdk/client-iam'

import type {IamAuthorizationPage, IamReader} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translatedPages} from './pages.js'

/**
 * IAM behind the IamReader port. One paginated GetAccountAuthorizationDetails call returns every
 * role, user, group and customer-managed policy with their documents (URL-encoded), and the groups
 * each user is in, instead of a List/Get call per principal and policy. AWS managed policies are
 * left out (over a thousand documents); the ones that read every secret are judged by name.
 */
export class AwsIamReader implements IamReader {
  constructor(private readonly client: IAMClient) {}

  authorizationDetails(): AsyncIterable<IamAuthorizationPage> {
    const pages = listPages(LISTINGS.getAccountAuthorizationDetails, paginateGetAccountAuthorizationDetails, this.client, {Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy']}, {
      // IAM says `IsTruncated: false` on the last page; a Marker beside it is not followed.
      last: (page) => !page.IsTruncated,
    })
    return translatedPages(pages, {action: 'iam:GetAccountAuthorizationDetails'}, toPage)
  }
}

function toPage(page: GetAccountAuthorizationDetailsCommandOutput): IamAuthorizationPage {
  const result: IamAuthorizationPage = {managedPolicies: [], roles: [], users: [], groups: []}
  for (const policy of page.Policies ?? []) {
    const version = policy.PolicyVersionList?.find((candidate) => candidate.IsDefaultVersion) ?? policy.PolicyVersionList?.[0]
    if (!policy.Arn || version?.Document === undefined) continue
    result.managedPolicies.push({arn: policy.Arn, name: policy.PolicyName ?? policy.Arn, document: version.Document})
  }

  for (const role of page.RoleDetailList ?? []) {
    result.roles.push({
      name: role.RoleName ?? '?',
      inlinePolicies: (role.RolePolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      attachedPolicyArns: (role.AttachedManagedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''),
    })
  }

  for (const user of page.UserDetailList ?? []) {
    result.users.push({
      name: user.UserName ?? '?',
      inlinePolicies: (user.UserPolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      attachedPolicyArns: (user.AttachedManagedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
      groups: user.GroupList ?? [],
    })
  }

  for (const group of page.GroupDetailList ?? []) {
    result.groups.push({
      name: group.GroupName ?? '?',
      inlinePolicies: (group.GroupPolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      attachedPolicyArns: (group.AttachedManagedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
    })
  }

  return result
}
